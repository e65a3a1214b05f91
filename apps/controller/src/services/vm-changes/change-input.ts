import type { VmOperationKind } from '@apiary/protocol';

/**
 * What a VM change saga keeps in its journal (`sagas.input`): enough to resume it on any
 * controller. `call` is the agent request as its typed client takes it (params, query, body).
 */
export interface ChangeInput extends Record<string, unknown> {
  kind: VmOperationKind;
  /** Internal id of the VM changed (its zone name) and the name users address it by. */
  vmId: string;
  vmName: string;
  envId: string;
  orgId: string;
  hostId: string;
  call: { params: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  /** The machine before the change (what the VM row said at accept). */
  before: { cpu: number; mem: number; disk: number };
  /** clone: the new VM's internal id and name. */
  clone?: { vmId: string; name: string };
  /** publish_image: the image's name and the snapshot it comes from. */
  publish?: { image: string; snapshot: string };
  /** migrate: the host the VM moves to (`hostId` is the one it leaves). */
  migrate?: { to: string };
}

/** The agent client method each kind calls. */
export const AGENT_METHOD = {
  update: 'updateVm',
  add_disk: 'addDisk',
  remove_disk: 'removeDisk',
  attach_cdrom: 'attachCdrom',
  detach_cdrom: 'detachCdrom',
  snapshot: 'createSnapshot',
  rollback: 'rollbackSnapshot',
  delete_snapshot: 'deleteSnapshot',
  clone: 'cloneSnapshot',
} as const;

/** The VM the agent's operation runs on: the new one for a clone. */
export function agentVmOf(input: ChangeInput): string {
  return input.clone?.vmId ?? input.vmId;
}
