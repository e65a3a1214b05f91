import { z } from 'zod';
import { Timestamp } from './common.js';
import { EnvNic, isEnvNetworkName } from './env-overlay.js';
import { VmNetworks } from './host-network.js';
import { EnvId, ImageDigest, ImageRef, VmId } from './names.js';
import { SshPublicKey } from './ssh-key.js';
import { Ports, VM_LIMITS } from './vm-spec.js';

/*
 * Changing a VM on its agent (issue 13): resize, data disks, a CD-ROM, snapshots and clones.
 * Every change is a durable operation (202 + operation id), like create.
 */

/** `?flag=true|false` in a query string. */
const QueryFlag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .default(false);

/**
 * A snapshot's own name: one ZFS name component (zfs_namecheck's characters: letters, digits,
 * `_ - . :`), not starting with `.`, `-` or `:` so it never reads as an option or `.`/`..`,
 * and short enough that `<pool>/apiary/vms/<vm>/diskN@<name>` stays under ZFS's 255.
 */
export const VmSnapshotName = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/,
    'must be 1-64 letters, digits, _ . : or -, starting with a letter, digit or _',
  );
export type VmSnapshotName = z.infer<typeof VmSnapshotName>;

/** Data disks are bhyve's `disk0`..`disk15`: the boot disk is `bootdisk`, apart. */
export const DATA_DISK_MAX = 16;
export const DataDiskIndex = z.coerce
  .number()
  .int()
  .min(0)
  .max(DATA_DISK_MAX - 1);

/** `PATCH /api/vms/{id}`: any of these; the boot disk only grows. */
export const UpdateVmReq = z
  .strictObject({
    cpu: z.int().min(VM_LIMITS.cpu.min).max(VM_LIMITS.cpu.max).optional(),
    mem: z.int().min(VM_LIMITS.mem.min).max(VM_LIMITS.mem.max).optional(),
    disk: z.int().min(VM_LIMITS.disk.min).max(VM_LIMITS.disk.max).optional(),
    deny_outgoing: z.boolean().optional(),
    /** The whole list of forwarded guest ports (22 is always kept). */
    ports: Ports.optional(),
  })
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'nothing to change');
export type UpdateVmReq = z.infer<typeof UpdateVmReq>;

/** `PATCH /api/vms/{id}?restart=true`: restart a running VM so the change applies now. */
export const UpdateVmQuery = z.strictObject({ restart: QueryFlag });

/** `POST /api/vms/{id}/disks`: a new data disk of `size` MiB. */
export const AddDiskReq = z.strictObject({
  size: z.int().min(1).max(VM_LIMITS.disk.max),
});
export type AddDiskReq = z.infer<typeof AddDiskReq>;

/** `PUT /api/vms/{id}/cdrom`: an ISO image (kind `iso`) to attach. */
export const AttachCdromReq = z.strictObject({ image: ImageRef });
export type AttachCdromReq = z.infer<typeof AttachCdromReq>;

export const CreateSnapshotReq = z.strictObject({ name: VmSnapshotName });
export type CreateSnapshotReq = z.infer<typeof CreateSnapshotReq>;

/** `?stop=true` stops a running VM first; `?force=true` confirms destroying later snapshots. */
export const RollbackQuery = z.strictObject({ stop: QueryFlag, force: QueryFlag });

/** `POST /api/vms/{id}/snapshots/{name}/clone`: a new VM (thin clone) from the snapshot. */
export const CloneVmReq = z
  .strictObject({
    id: VmId,
    /** The new VM's environment; the source's when left out. */
    env_id: EnvId.optional(),
    /** Keys for the new VM's fresh cloud-init; the source's when left out. */
    ssh_keys: z.array(SshPublicKey).max(32).optional(),
    /**
     * The new VM's networks, as in `CreateVmReq` (first = primary; absent: `["nat"]`): each
     * NIC is made afresh, with a new MAC and address.
     */
    networks: VmNetworks.optional(),
    /** Its NIC on its environment's overlay (`env-<vni>`), as in `CreateVmReq`. */
    env_nic: EnvNic.optional(),
  })
  .refine((r) => (r.networks ?? []).some(isEnvNetworkName) === (r.env_nic !== undefined), {
    message: 'env_nic goes with an env-... network, and only with one',
    path: ['env_nic'],
  });
export type CloneVmReq = z.infer<typeof CloneVmReq>;

/** A data disk: `n` is its bhyve slot (`disk<n>`), size in MiB, used in bytes (null: unknown). */
export const VmDisk = z.object({
  n: z
    .int()
    .min(0)
    .max(DATA_DISK_MAX - 1),
  size: z.int().min(1),
  used: z.int().min(0).nullable(),
});
export type VmDisk = z.infer<typeof VmDisk>;

/** The machine a VM is (what a snapshot keeps and a rollback restores). */
export const VmMachine = z.object({
  cpu: z.int(),
  mem: z.int(),
  disk: z.int(),
  disks: z.array(VmDisk.pick({ n: true, size: true })),
  cdrom: ImageDigest.nullable(),
});
export type VmMachine = z.infer<typeof VmMachine>;

/**
 * What a running VM will get at its next boot: the fields of its machine that differ from
 * what it was booted with. Null when nothing is pending.
 */
export const PendingChanges = VmMachine.partial().nullable();
export type PendingChanges = z.infer<typeof PendingChanges>;

export const VmSnapshot = z.object({
  name: VmSnapshotName,
  vm_id: VmId,
  created_at: Timestamp,
  /** The VM's machine when the snapshot was taken (restored by a rollback). */
  machine: VmMachine,
  /** Bytes held only by this snapshot, summed over its disks (null: not measured yet). */
  used: z.int().min(0).nullable(),
  /** VMs cloned from this snapshot (it cannot be deleted or rolled past while they exist). */
  clones: z.array(VmId),
});
export type VmSnapshot = z.infer<typeof VmSnapshot>;

export const VmSnapshotParams = z.strictObject({ id: VmId, name: VmSnapshotName });
export const VmDiskParams = z.strictObject({ id: VmId, n: DataDiskIndex });
