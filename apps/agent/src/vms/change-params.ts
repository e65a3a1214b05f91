import type { OperationKind, VmMachine } from '@apiary/protocol';

/*
 * What a change operation was asked, stored with it (operations.params) when it is accepted:
 * everything its steps and their undo need, so an agent killed part-way finishes or undoes the
 * same change after a restart without reading a record that the change itself rewrote.
 */

export interface PortPair {
  hostPort: number;
  guestPort: number;
}

/** The network side of a VM: forwards (host side) and the egress filter. */
export interface VmNet {
  denyOutgoing: boolean;
  /** Every forward, 22 first. */
  ports: PortPair[];
}

/**
 * update, add_disk, remove_disk, attach_cdrom, detach_cdrom: the VM goes from `before` to
 * `after`. `restart` reboots a running VM once the zone has the change.
 */
export interface MachineChangeParams {
  before: VmMachine;
  after: VmMachine;
  netBefore: VmNet;
  netAfter: VmNet;
  restart: boolean;
}

export interface SnapshotParams {
  name: string;
  /** The machine when the snapshot was asked (what a rollback restores). */
  machine: VmMachine;
}

export interface RollbackParams {
  name: string;
  /** Stop a running VM first. */
  stop: boolean;
  /** It ran when the rollback was asked: a rollback undone before it changed a disk boots it. */
  wasRunning?: boolean;
  before: VmMachine;
  target: VmMachine;
  /** Snapshots taken after `name`, destroyed by the rollback (confirmed with force). */
  later: string[];
}

export interface DeleteSnapshotParams {
  name: string;
  machine: VmMachine;
}

export type ChangeKind = Exclude<OperationKind, 'create' | 'delete' | 'start' | 'stop' | 'restart'>;

export const CHANGE_KINDS: readonly ChangeKind[] = [
  'update',
  'add_disk',
  'remove_disk',
  'attach_cdrom',
  'detach_cdrom',
  'snapshot',
  'rollback',
  'delete_snapshot',
];

export function isChangeKind(kind: OperationKind): kind is ChangeKind {
  return (CHANGE_KINDS as readonly string[]).includes(kind);
}
