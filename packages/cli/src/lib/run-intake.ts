import type { Image, ImageOperationAccepted } from '@apiary/protocol';
import type { CliContext } from './context.js';
import { waitForOperation } from './wait-operation.js';

/**
 * A URL fetch or a box pull: the controller answers 202 with an operation. Unless `--no-wait`,
 * follows it with the download's progress bar on stderr (as a migration's), then prints the
 * image it stored; a failed operation prints its error and exits 1.
 */
export async function runIntake(
  ctx: CliContext,
  o: { wait?: boolean; subject: string },
  send: () => Promise<ImageOperationAccepted>,
  render: (image: Image) => string,
): Promise<void> {
  const client = ctx.client();
  const { operation: accepted } = await send();
  if (o.wait === false) {
    ctx.out.result(
      accepted,
      (op) => `operation ${op.id} ${op.state}: follow it with 'apiary operations show ${op.id}'`,
    );
    return;
  }
  const operation = await waitForOperation(client, accepted, ctx.out, {
    subject: o.subject,
    timeoutMs: 24 * 3600_000,
  });
  const digest = operation.result?.image_digest;
  if (operation.state === 'failed' || !digest) {
    ctx.out.result(
      operation,
      (op) =>
        `${o.subject}: failed: ${op.error?.msg ?? 'no reason given'} (${op.error?.code ?? 'internal'})`,
    );
    process.exitCode = 1;
    return;
  }
  ctx.out.result(await client.getImage({ params: { digest } }), render);
}
