import { ApiError, VM_ACTION_ENV_STATES, type Vm, vmActionAllowed } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { findVm } from './addressing.js';
import { Interrupted, powerVmOnAgent } from './agent-vm-ops.js';
import { runOnEnv } from './env-lock.js';
import { envNameOfVm } from './env-names.js';
import { getEnvRow, vmView } from './env-view.js';

/** Stop, start or restart one VM. Runs in the background under its environment's lease. */
export async function powerVm(
  ctx: Ctx,
  p: Principal,
  name: string,
  action: 'stop' | 'start' | 'restart',
  org?: string,
): Promise<Vm> {
  const vm = await findVm(ctx, p, name, org);
  const env = await getEnvRow(ctx, vm.envId);
  const envName = envNameOfVm(vm.name);
  if (!env) throw new ApiError('not_found', `environment ${envName} not found`);
  if (!VM_ACTION_ENV_STATES.includes(env.state)) {
    throw new ApiError('conflict', `environment ${envName} is ${env.state}`, { retryable: true });
  }
  if (!vmActionAllowed(vm.state, action)) {
    throw new ApiError('conflict', `cannot ${action} VM ${name} while it is ${vm.state}`);
  }
  const started = await runOnEnv(
    ctx,
    env.id,
    'exclusive',
    (hold) => powerVmOnAgent(ctx, vm, action, hold.signal),
    (_name, e) => {
      if (!(e instanceof Interrupted))
        ctx.log.warn({ vm_id: vm.id, action, error: String(e) }, 'VM action failed');
    },
  );
  if (!started)
    throw new ApiError('conflict', `environment ${envName} is busy; try again`, {
      retryable: true,
    });
  return await vmView(ctx, vm.id);
}
