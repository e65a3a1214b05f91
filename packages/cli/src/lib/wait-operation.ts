import {
  type ControllerClient,
  type ControllerOperationKind,
  type VmOperation,
  vmOperationSettled,
} from '@apiary/protocol';
import type { Output } from './output.js';
import { intakeBar, progressBar } from './progress-bar.js';
import { sleep } from './wait.js';

/** How each kind of change is said in progress lines: `resize web-1: running (agent)`. */
export const OPERATION_VERBS: Record<ControllerOperationKind, string> = {
  update: 'change',
  add_disk: 'add disk to',
  remove_disk: 'remove disk from',
  attach_cdrom: 'attach CD-ROM to',
  detach_cdrom: 'detach CD-ROM from',
  snapshot: 'snapshot',
  rollback: 'roll back',
  delete_snapshot: 'delete snapshot of',
  clone: 'clone',
  publish_image: 'publish image from',
  migrate: 'move',
  fetch_image: 'fetch image',
  pull_box: 'pull box into image',
};

/**
 * One progress line: what, on which VM (an image intake: on none), in which state and step,
 * with the migration's copy or the image's download as a bar, and its warning, while it runs.
 */
export function progressLine(operation: VmOperation, subject?: string): string {
  const running = operation.state === 'running';
  // An image intake has one step (`intake`): its phase says more, in the bar.
  const step = operation.step && operation.vm_id !== null ? ` (${operation.step})` : '';
  const bar =
    operation.progress && running
      ? ` ${progressBar(operation.progress)}`
      : operation.intake && running
        ? ` ${intakeBar(operation.intake)}`
        : '';
  const on = operation.vm_id ?? subject;
  // While it runs: e.g. the old host of a migration has not removed its copy yet (retried).
  const warning = operation.warning && running ? ` (warning: ${operation.warning})` : '';
  return `${OPERATION_VERBS[operation.kind]}${on ? ` ${on}` : ''}: ${operation.state}${step}${bar}${warning}`;
}

/**
 * Polls `GET /v1/operations/{id}` until the operation succeeds or fails, printing a line on
 * stderr each time its state or step moves. Returns the settled operation; a failed one is
 * returned, not thrown, so the caller can still show the VM as it stands.
 */
export async function waitForOperation(
  client: Pick<ControllerClient, 'getVmOperation'>,
  accepted: VmOperation,
  out: Output,
  options: { org?: string; intervalMs?: number; timeoutMs?: number; subject?: string } = {},
): Promise<VmOperation> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let operation = accepted;
  let last = '';
  for (;;) {
    const line = progressLine(operation, options.subject);
    if (line !== last) out.info(line);
    last = line;
    if (vmOperationSettled(operation)) return operation;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for operation ${operation.id} (still ${operation.state}); ` +
          `follow it with 'apiary operations show ${operation.id}'`,
      );
    }
    await sleep(options.intervalMs ?? 500);
    operation = await client.getVmOperation({
      params: { id: accepted.id },
      query: options.org ? { org: options.org } : undefined,
    });
  }
}
