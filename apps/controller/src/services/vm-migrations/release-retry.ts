import { sleep } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { hostsOf, type MigrationRun } from './migration-agents.js';
import { type MigrationMemo, readMemo, updateMemo } from './migration-memo.js';

/** The first pause after a failed release, doubled after each failure up to the last. */
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 5 * 60_000;

/**
 * Records a failed release (attempts, the reason, when it is tried again) on the saga's memo,
 * where the operation's view reads it, and tells it: a warning in the log and a `vm.warning`
 * event for the dashboard.
 */
export async function releaseWillRetry(ctx: Ctx, run: MigrationRun, error: unknown): Promise<void> {
  const memo = await readMemo(ctx, run.id);
  const attempts = (memo.releaseRetry?.attempts ?? 0) + 1;
  const pause = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (attempts - 1));
  const reason = error instanceof Error ? error.message : String(error);
  const retryAt = ctx.clock.now() + pause;
  await updateMemo(ctx, run.id, { releaseRetry: { attempts, error: reason, retryAt } });
  const { from } = hostsOf(run);
  ctx.log.warn(
    {
      saga_id: run.id,
      vm_id: run.input.vmId,
      host_id: from,
      attempts,
      retry_in_ms: pause,
      error: reason,
    },
    'the source could not release the moved VM; retrying',
  );
  ctx.events.publish({
    type: 'vm.warning',
    orgId: run.input.orgId,
    data: {
      vm_id: run.input.vmName,
      operation_id: run.id,
      host_id: from,
      msg: releasePendingWords(attempts, reason),
    },
  });
}

/** Waits until the recorded retry time (kept across restarts), or returns at once. */
export async function releaseRetryWait(ctx: Ctx, run: MigrationRun): Promise<void> {
  const retryAt = (await readMemo(ctx, run.id)).releaseRetry?.retryAt;
  const wait = retryAt === undefined ? 0 : retryAt - ctx.clock.now();
  if (wait > 0) await sleep(wait, run.signal).catch(() => {});
}

/** The operation's warning while the source keeps its copy. */
export function releasePendingWords(attempts: number, reason: string): string {
  return `the VM runs on its new host; its old host has not removed its copy yet (${attempts} failed ${attempts === 1 ? 'attempt' : 'attempts'}, retried): ${reason}`;
}

/** The warning a running migration's operation shows: its source release being retried. */
export function migrationWarning(memo: MigrationMemo | null | undefined): string | null {
  const retry = memo?.releaseRetry;
  return retry ? releasePendingWords(retry.attempts, retry.error) : null;
}
