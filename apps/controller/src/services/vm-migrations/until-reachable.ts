import { sleep } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { isUnreachable, type MigrationRun } from './migration-agents.js';

/**
 * Runs an agent call of an undo again while the agent cannot be reached, for up to the
 * operation timeout: an agent restarting (killed mid-stream, then back within seconds) must not
 * turn the undo into a leftover that nobody removes. Any other error, or the agent still away
 * at the deadline, is thrown.
 */
export async function untilReachable<T>(
  ctx: Ctx,
  run: MigrationRun,
  call: () => Promise<T>,
): Promise<T> {
  const deadline = ctx.clock.now() + ctx.config.operationTimeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isUnreachable(error) || ctx.clock.now() > deadline || run.signal.aborted) throw error;
      await sleep(500, run.signal).catch(() => {});
    }
  }
}
