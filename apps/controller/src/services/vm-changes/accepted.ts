import type { VmOperationAccepted } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { vmView } from '../envs/env-view.js';
import { operationView } from './operation-view.js';

/** How long the route waits for the agent to take or refuse the request before answering 202. */
const AGENT_ANSWER_WAIT_MS = 15_000;

/**
 * The 202 of a change: once the agent took it (or after a short wait), the VM as it stands and
 * the operation. The agent's refusal (4xx) is the route's answer, unchanged; the operation
 * then ends `failed` and gives its reservation back.
 */
export async function acceptedAnswer(
  ctx: Ctx,
  operationId: string,
  vmId: string,
): Promise<VmOperationAccepted> {
  try {
    await ctx.vmChanges.wait(operationId, AGENT_ANSWER_WAIT_MS);
  } finally {
    ctx.vmChanges.forget(operationId);
  }
  return { vm: await vmView(ctx, vmId), operation: await operationView(ctx, operationId) };
}
