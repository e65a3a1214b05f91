import { type AgentClient, type AgentVm, ApiError, type Operation } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { VmOpError } from '../envs/vm-op-error.js';
import { waitForOperation } from '../envs/wait-operation.js';
import { getHostRow } from '../hosts/host-view.js';
import type { SagaRun } from '../sagas/saga-engine.js';
import { agentClientFor } from '../vm-changes/agent-step.js';
import { agentErrorInUserWords, inUserWords } from '../vm-changes/agent-words.js';
import type { ChangeInput } from '../vm-changes/change-input.js';

export type MigrationRun = SagaRun<ChangeInput>;

/** The host the VM leaves and the one it moves to. */
export function hostsOf(run: MigrationRun): { from: string; to: string } {
  return { from: run.input.hostId, to: run.input.migrate?.to ?? '' };
}

export const sourceOf = (ctx: Ctx, run: MigrationRun) => agentClientFor(ctx, hostsOf(run).from);
export const targetOf = (ctx: Ctx, run: MigrationRun) => agentClientFor(ctx, hostsOf(run).to);

/**
 * The pin the source holds the target's certificate to while it streams (an `https://` target):
 * the certificate the controller itself pinned for that host.
 */
export async function targetFingerprint(ctx: Ctx, run: MigrationRun): Promise<string | undefined> {
  const host = await getHostRow(ctx, hostsOf(run).to);
  if (!host?.addr.startsWith('https:')) return undefined;
  return host.tlsFingerprint ?? undefined;
}

/** An agent call whose refusal is put in the user's words (internal VM ids become names). */
export async function agentCall<T>(ctx: Ctx, run: MigrationRun, call: () => Promise<T>) {
  try {
    return await call();
  } catch (error) {
    throw await agentErrorInUserWords(ctx, run.input.orgId, error);
  }
}

/** The agent's VM, or null when it does not have it. */
export async function agentVmOrNull(client: AgentClient, id: string): Promise<AgentVm | null> {
  try {
    return await client.getVm({ params: { id } });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') return null;
    throw error;
  }
}

/** Follows an agent operation to its end; a failed one is an error in the user's words. */
export async function followOperation(
  ctx: Ctx,
  run: MigrationRun,
  client: AgentClient,
  op: Operation,
): Promise<Operation> {
  const done = await waitForOperation(ctx, client, op, run.signal);
  if (done.state !== 'succeeded') {
    throw new VmOpError(
      done.error?.code ?? 'migrate_failed',
      await inUserWords(
        ctx,
        run.input.orgId,
        done.error?.msg ?? `${op.kind} failed on the host during the migration`,
      ),
    );
  }
  return done;
}

/** Retries `task` while the agent cannot be reached (an undo must not give up on a blip). */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ApiError && ['unavailable', 'timeout'].includes(error.code);
}
