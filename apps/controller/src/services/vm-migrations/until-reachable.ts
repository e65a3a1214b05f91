import { type AgentClient, ApiError, sleep } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { isUnreachable, type MigrationRun } from './migration-agents.js';

/**
 * What an agent answers while it restarts: nothing (it is down), or, once it is back, a refusal
 * of the key it had before: a restarted agent registers again with a new key and revokes the
 * old one, and the controller's host record holds the new key only once that registration has
 * arrived.
 */
export function isRestarting(error: unknown): boolean {
  return isUnreachable(error) || (error instanceof ApiError && error.code === 'unauthenticated');
}

/**
 * Runs an agent call again while the agent restarts, for up to the operation timeout, with a
 * client made afresh for each try (it carries the agent's key as the host record has it now):
 * an agent killed mid-stream and back within seconds must not turn an undo into a leftover
 * that nobody removes. Any other error, or the agent still away at the deadline, is thrown.
 */
export async function untilReachable<T>(
  ctx: Ctx,
  run: MigrationRun,
  agent: () => Promise<AgentClient>,
  call: (client: AgentClient) => Promise<T>,
): Promise<T> {
  const deadline = ctx.clock.now() + ctx.config.operationTimeoutMs;
  for (;;) {
    try {
      return await call(await agent());
    } catch (error) {
      if (!isRestarting(error) || ctx.clock.now() > deadline || run.signal.aborted) throw error;
      await sleep(500, run.signal).catch(() => {});
    }
  }
}
