import { type AgentClient, type AgentVm, ApiError, type Operation } from '@apiary/protocol';
import { newRequestId } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { VmOpError } from '../envs/vm-op-error.js';
import { waitForOperation } from '../envs/wait-operation.js';
import { getHostRow } from '../hosts/host-view.js';
import type { SagaRun } from '../sagas/saga-engine.js';
import { CHANGEABLE } from './accept-change.js';
import { agentErrorInUserWords, inUserWords } from './agent-words.js';
import { AGENT_METHOD, agentVmOf, type ChangeInput } from './change-input.js';

/*
 * The agent call of a change, safe to resume. Before sending, the saga records
 * `sending:<g>:<request id>` (the agent VM's generation then, and the request id the call will
 * carry); once the agent answered 202, the agent's operation id. A controller resuming the step
 * follows the recorded operation; after `sending:` it asks the agent which operation that
 * request started (the agent keeps each operation's request id), so a change the agent ran and
 * failed while no controller listened is seen as failed, not guessed from the VM. Only a request
 * that never reached the agent is sent again.
 */

const SENDING = 'sending:';

export async function agentClientFor(ctx: Ctx, hostId: string): Promise<AgentClient> {
  const host = await getHostRow(ctx, hostId);
  if (!host) throw new VmOpError('host_missing', `host ${hostId} is not known`);
  return ctx.agents.forHost(host);
}

export async function recordAgentOp(ctx: Ctx, sagaId: string, value: string): Promise<void> {
  await ctx.db.update(ctx.t.sagas).set({ agentOp: value }).where(eq(ctx.t.sagas.id, sagaId));
}

async function agentOpOf(ctx: Ctx, sagaId: string): Promise<string | null> {
  const rows = await ctx.db
    .select({ agentOp: ctx.t.sagas.agentOp })
    .from(ctx.t.sagas)
    .where(eq(ctx.t.sagas.id, sagaId));
  return rows[0]?.agentOp ?? null;
}

async function agentVm(client: AgentClient, id: string): Promise<AgentVm | null> {
  try {
    return await client.getVm({ params: { id } });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') return null;
    throw error;
  }
}

/** An operation the agent already finished, known only from the VM it changed. */
function finishedOp(vm: AgentVm, kind: string): Operation {
  const failed = vm.state === 'failed';
  return {
    id: `seen-${vm.generation}`,
    vm_id: vm.id,
    kind: (kind === 'clone' ? 'create' : kind) as Operation['kind'],
    state: failed ? 'failed' : 'succeeded',
    step: null,
    error: failed ? (vm.error ?? { code: 'internal', msg: 'the VM failed' }) : null,
    created_at: vm.updated_at,
    updated_at: vm.updated_at,
  };
}

/** What the agent already has of this change after a restart, or null when it has nothing. */
async function alreadySent(
  client: AgentClient,
  input: ChangeInput,
  marker: string,
): Promise<Operation | null> {
  const [generation, requestId] = marker.slice(SENDING.length).split(':');
  if (requestId) {
    const started = await operationsOfRequest(client, requestId);
    if (started) return started[0] ?? null;
  }
  // An agent without the lookup: infer from the VM (an operation running on it is this
  // change's, as the change holds the VM; a generation that moved means it ran).
  const vm = await agentVm(client, agentVmOf(input));
  if (!vm) return null;
  if (vm.operation_id) return await client.getOperation({ params: { id: vm.operation_id } });
  if (vm.generation > Number(generation)) return finishedOp(vm, input.kind);
  return null;
}

/** The operations a request started on the agent; null when the agent cannot say (older). */
async function operationsOfRequest(
  client: AgentClient,
  requestId: string,
): Promise<Operation[] | null> {
  try {
    return (await client.listOperations({ query: { request_id: requestId } })).items;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') return null;
    throw error;
  }
}

/**
 * The VM is checked again once the change holds its environment: an environment saga that ran
 * before it (a delete, say) may have taken the VM out of the states that take changes.
 */
export async function stillChangeable(ctx: Ctx, input: ChangeInput): Promise<void> {
  const { vms } = ctx.t;
  const row = (
    await ctx.db.select({ state: vms.state }).from(vms).where(eq(vms.id, input.vmId))
  )[0];
  if (!row || !CHANGEABLE.includes(row.state)) {
    throw new ApiError(
      'conflict',
      `VM ${input.vmName} is ${row?.state ?? 'gone'}: the change was not made`,
    );
  }
}

export interface SendHooks {
  /** Work before the request (push the ISO to a host that cannot pull it). */
  before?: (client: AgentClient) => Promise<void>;
  /** The agent took the request (null) or refused it. */
  answered: (error: ApiError | null) => void;
}

/** Sends the change to the agent (or finds it there) and follows its operation to the end. */
export async function runAgentStep(
  ctx: Ctx,
  run: SagaRun<ChangeInput>,
  hooks: SendHooks,
): Promise<Operation> {
  const { input } = run;
  const client = await agentClientFor(ctx, input.hostId);
  const recorded = await agentOpOf(ctx, run.id);
  let op: Operation | null = null;
  if (recorded?.startsWith(SENDING)) op = await alreadySent(client, input, recorded);
  else if (recorded) op = await client.getOperation({ params: { id: recorded } });
  if (op)
    ctx.log.info(
      { saga_id: run.id, agent_operation: op.id },
      'following the agent operation sent before',
    );
  if (!op) {
    await stillChangeable(ctx, input);
    const before = await agentVm(client, agentVmOf(input));
    const requestId = newRequestId();
    await recordAgentOp(ctx, run.id, `${SENDING}${before?.generation ?? -1}:${requestId}`);
    await hooks.before?.(client);
    const method = client[AGENT_METHOD[input.kind as keyof typeof AGENT_METHOD]] as (
      req: unknown,
      options: { requestId: string },
    ) => Promise<{ operation: Operation }>;
    try {
      op = (await method(input.call, { requestId })).operation;
    } catch (caught) {
      const error = await agentErrorInUserWords(ctx, input.orgId, caught);
      if (error instanceof ApiError && error.status < 500) hooks.answered(error);
      throw error;
    }
    await recordAgentOp(ctx, run.id, op.id);
  }
  hooks.answered(null);
  const done = await waitForOperation(ctx, client, op, run.signal);
  if (done.state !== 'succeeded') {
    throw new VmOpError(
      done.error?.code ?? 'internal',
      await inUserWords(ctx, input.orgId, done.error?.msg ?? `${input.kind} failed on the host`),
    );
  }
  return done;
}
