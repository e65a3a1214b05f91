import { ApiError, VM_ACTION_ENV_STATES } from '@apiary/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { envNameOfVm } from '../envs/env-names.js';
import { getEnvRow, type VmRow } from '../envs/env-view.js';
import { takeHostRowFirst } from '../hosts/host-lock-order.js';
import { type Demand, reserveOnHost } from '../placement/reservations.js';
import { capacityRefusal } from './capacity-refusal.js';
import type { ChangeInput } from './change-input.js';
import { isEmpty } from './reservation.js';

/** The states a VM takes changes in; any other (creating, stopping, failed...) is a 409. */
export const CHANGEABLE = ['running', 'stopped'];

export interface ChangeSpec {
  kind: ChangeInput['kind'];
  call: ChangeInput['call'];
  /** Capacity the change needs on the VM's host beyond what the VM holds now. */
  demand: Demand;
  /** The host the demand is reserved on, when it is not the VM's (a migration's target). */
  reserveOn?: string;
  clone?: ChangeInput['clone'];
  publish?: ChangeInput['publish'];
  /** More work in the accepting transaction (a clone's new VM row). */
  prepare?: (tx: Tx) => Promise<void>;
}

export function vmResource(vmId: string): string {
  return `vm:${vmId}`;
}

/** The change running on a VM now, if any (its saga id). */
export async function runningChangeOf(ctx: Ctx, vmId: string): Promise<string | null> {
  const { sagas } = ctx.t;
  const rows = await ctx.db
    .select({ id: sagas.id })
    .from(sagas)
    .where(and(eq(sagas.resource, vmResource(vmId)), inArray(sagas.state, ['running', 'undoing'])));
  return rows[0]?.id ?? null;
}

function busy(vm: VmRow, opId: string): ApiError {
  return new ApiError('conflict', `VM ${vm.name} is busy with operation ${opId}; try again`, {
    retryable: true,
  });
}

/**
 * A VM takes a change when it is running or stopped, no other change runs on it, and its
 * environment is settled (409 otherwise). Checked again in the accepting transaction.
 */
export async function requireChangeable(ctx: Ctx, vm: VmRow): Promise<void> {
  if (!CHANGEABLE.includes(vm.state)) {
    throw new ApiError(
      'conflict',
      `VM ${vm.name} is ${vm.state}: it takes changes when running or stopped`,
    );
  }
  const running = await runningChangeOf(ctx, vm.id);
  if (running) throw busy(vm, running);
  const env = await getEnvRow(ctx, vm.envId);
  const envName = envNameOfVm(vm.name);
  if (!env || !VM_ACTION_ENV_STATES.includes(env.state)) {
    throw new ApiError('conflict', `environment ${envName} is ${env?.state ?? 'gone'}`, {
      retryable: true,
    });
  }
}

/**
 * Accepts a change of `vm` in one transaction: the saga's row (one running per VM: the
 * database's unique index decides), the VM still in a state that takes changes, and the extra
 * capacity reserved with placement's conditional write. Returns the operation (saga) id.
 */
export async function acceptChange(ctx: Ctx, vm: VmRow, spec: ChangeSpec): Promise<string> {
  await requireChangeable(ctx, vm);
  const hostId = vm.hostId ?? '';
  const input: ChangeInput = {
    kind: spec.kind,
    vmId: vm.id,
    vmName: vm.name,
    envId: vm.envId,
    orgId: vm.orgId,
    hostId,
    call: spec.call,
    before: { cpu: vm.cpu, mem: vm.mem, disk: vm.disk },
    ...(spec.clone ? { clone: spec.clone } : {}),
    ...(spec.publish ? { publish: spec.publish } : {}),
    ...(spec.reserveOn ? { migrate: { to: spec.reserveOn } } : {}),
  };
  const reserveOn = spec.reserveOn ?? hostId;
  const reserve = !isEmpty(spec.demand);
  try {
    return await ctx.sagas.start(spec.kind, vmResource(vm.id), input, {
      columns: {
        orgId: vm.orgId,
        vmId: vm.id,
        // A clone's reservation is its new VM row's, like placement's; a change's is the saga's.
        reserved: reserve && !spec.clone ? { hostId: reserveOn, ...spec.demand } : null,
      },
      prepare: async (tx) => {
        const { vms } = ctx.t;
        if (reserve) await takeHostRowFirst(ctx, tx, reserveOn);
        const still = await tx
          .update(vms)
          .set({ updatedAt: ctx.clock.now() })
          .where(and(eq(vms.id, vm.id), inArray(vms.state, CHANGEABLE)))
          .returning({ state: vms.state });
        if (still.length === 0)
          throw new ApiError('conflict', `VM ${vm.name} changed state meanwhile; try again`, {
            retryable: true,
          });
        if (reserve && !(await reserveOnHost(ctx, tx, reserveOn, spec.demand))) {
          throw await capacityRefusal(ctx, tx, reserveOn, spec.demand);
        }
        await spec.prepare?.(tx);
      },
    });
  } catch (error) {
    if (
      error instanceof ApiError &&
      error.code === 'conflict' &&
      /is busy with another/.test(error.message)
    ) {
      const other = await runningChangeOf(ctx, vm.id);
      if (other) throw busy(vm, other);
    }
    throw error;
  }
}
