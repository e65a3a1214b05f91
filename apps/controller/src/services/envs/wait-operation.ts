import { type AgentClient, ApiError, type Operation, sleep } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { Interrupted, VmOpError } from './vm-op-error.js';

/** Polls an agent operation until it ends. Transient failures to ask are retried until the deadline. */
export async function waitForOperation(
  ctx: Ctx,
  client: AgentClient,
  op: Operation,
  signal: AbortSignal,
): Promise<Operation> {
  const deadline = ctx.clock.now() + ctx.config.operationTimeoutMs;
  let delay = 50;
  let current = op;
  while (current.state === 'pending' || current.state === 'running') {
    if (signal.aborted) throw new Interrupted(`operation ${op.id} left running`);
    if (ctx.clock.now() > deadline) {
      throw new VmOpError(
        'timeout',
        `operation ${op.kind} on ${op.vm_id} did not finish in time (step ${current.step})`,
      );
    }
    await sleep(delay, signal);
    delay = Math.min(1000, Math.round(delay * 1.5));
    try {
      current = await client.getOperation({ params: { id: op.id } });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found') {
        // The agent forgot the operation (e.g. restarted): the VM tells the outcome.
        return outcomeFromVm(client, op);
      }
      if (!(error instanceof ApiError) || !['unavailable', 'timeout'].includes(error.code))
        throw error;
    }
  }
  return current;
}

/** When the agent no longer knows an operation, the VM's state says how it ended. */
async function outcomeFromVm(client: AgentClient, op: Operation): Promise<Operation> {
  const vm = await client.getVm({ params: { id: op.vm_id } }).catch(() => null);
  const done: Record<string, string[]> = {
    create: ['running'],
    start: ['running'],
    restart: ['running'],
    stop: ['stopped'],
    delete: ['deleted'],
  };
  const ok = vm ? (done[op.kind] ?? []).includes(vm.state) : op.kind === 'delete';
  return {
    ...op,
    state: ok ? 'succeeded' : 'failed',
    error: ok
      ? null
      : (vm?.error ?? { code: 'lost', msg: `operation ${op.id} was lost by the agent` }),
  };
}
