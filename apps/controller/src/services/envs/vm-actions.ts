import { ApiError, VM_ACTION_ENV_STATES, type Vm, vmActionAllowed } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { Interrupted, powerVmOnAgent } from './agent-vm-ops.js';
import { getVisibleEnv, getVisibleVm, vmView } from './env-view.js';

/** Stop, start or restart one VM. Runs in the background under its environment's lock. */
export function powerVm(
  ctx: Ctx,
  p: Principal,
  id: string,
  action: 'stop' | 'start' | 'restart',
): Vm {
  const vm = getVisibleVm(ctx, p, id);
  const env = getVisibleEnv(ctx, p, vm.envId);
  if (!VM_ACTION_ENV_STATES.includes(env.state)) {
    throw new ApiError('conflict', `environment ${env.id} is ${env.state}`, { retryable: true });
  }
  if (!vmActionAllowed(vm.state, action)) {
    throw new ApiError('conflict', `cannot ${action} VM ${id} while it is ${vm.state}`);
  }
  const started = ctx.work.runExclusive(
    env.id,
    () => powerVmOnAgent(ctx, vm, action, ctx.work.signal),
    (_name, e) => {
      if (!(e instanceof Interrupted))
        ctx.log.warn({ vm_id: id, action, error: String(e) }, 'VM action failed');
    },
  );
  if (!started)
    throw new ApiError('conflict', `environment ${env.id} is busy; try again`, { retryable: true });
  return vmView(ctx, id);
}
