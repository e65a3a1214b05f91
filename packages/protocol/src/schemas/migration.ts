import { z } from 'zod';
import { Timestamp } from './common.js';
import { FailureInfo } from './failure-codes.js';
import { Ipv4Address, MacAddress, NetworkName } from './host-network.js';
import { EnvId, ImageDigest, ImageRef, VmId } from './names.js';
import { SshPublicKey } from './ssh-key.js';
import { CertFingerprint } from './tls.js';
import { PortMap } from './vm.js';
import { DATA_DISK_MAX, VmSnapshotName } from './vm-change.js';
import { Ports, VM_LIMITS } from './vm-spec.js';

/*
 * Moving a VM between hosts (issue 15), agent side. The controller opens an import on the
 * target agent (which answers with a one-time transfer token), asks the source agent to export
 * the VM's disks to it (`zfs send` streamed straight to the target, which runs `zfs receive -s
 * -u`), then commits the import (the zone is made on the target with the same id,
 * configuration, MAC and cloud-init) and releases the VM on the source.
 */

/** A VM volume as it is named under the VM's dataset: the boot disk and data disks. */
export const MigrationVolumeName = z
  .string()
  .regex(/^(disk0|data([0-9]|1[0-5]))$/, 'must be disk0 or dataN (N 0-15)');
export type MigrationVolumeName = z.infer<typeof MigrationVolumeName>;

/** A ZFS guid as `zfs get -Hp guid` prints it (a 64-bit unsigned decimal). */
export const ZfsGuid = z.string().regex(/^[0-9]{1,20}$/, 'must be a decimal ZFS guid');

/** Transfer tokens: `tt_` and 64 hex digits, shown once, stored hashed. */
export const TransferToken = z.string().regex(/^tt_[0-9a-f]{64}$/, 'must be a transfer token');

const MigrationVolume = z.strictObject({
  name: MigrationVolumeName,
  /** Bytes (`zfs get -Hp volsize`). */
  volsize: z.int().min(1),
});

/** One NIC a VM takes to its new host: the agent's `VmNic` without the host's VNIC name. */
export const MigrationNic = z.strictObject({
  network: NetworkName,
  mac: MacAddress.nullable(),
  /** Static address (none on nat, whose address is the new host's slot, or under DHCP). */
  ip: Ipv4Address.nullable(),
});
export type MigrationNic = z.infer<typeof MigrationNic>;

/**
 * Everything a VM is, as its source agent reports it (`GET /api/vms/{id}/migration-spec`) and
 * a target agent imports it: the controller passes it on unchanged.
 */
export const VmMigrationSpec = z.strictObject({
  id: VmId,
  env_id: EnvId,
  image: ImageRef,
  image_digest: ImageDigest.nullable(),
  cpu: z.int().min(VM_LIMITS.cpu.min).max(VM_LIMITS.cpu.max),
  mem: z.int().min(VM_LIMITS.mem.min).max(VM_LIMITS.mem.max),
  disk: z.int().min(VM_LIMITS.disk.min).max(VM_LIMITS.disk.max),
  disks: z
    .array(
      z.strictObject({
        n: z
          .int()
          .min(0)
          .max(DATA_DISK_MAX - 1),
        size: z.int().min(1).max(VM_LIMITS.disk.max),
      }),
    )
    .max(DATA_DISK_MAX),
  cdrom: ImageDigest.nullable(),
  boot_iso: z.boolean(),
  /** Forwarded guest ports; `port_map` is where they were on the source (kept when free). */
  ports: Ports,
  port_map: PortMap,
  deny_outgoing: z.boolean(),
  /** The cloud-init keys: the target writes the same user-data from them. */
  ssh_keys: z.array(SshPublicKey).max(32),
  clone: z.enum(['thin', 'full']),
  /** The VNIC's MAC address, given to the VNIC on the target (null: the target picks one). */
  mac: MacAddress.nullable(),
  /**
   * Every NIC of a VM that joined networks besides a lone `nat`, primary first: the same
   * networks (`CreateVmReq.networks`, an `env-<vni>` one for the environment's overlay) with the
   * MAC and static address each had, kept on the target. Absent: the one `nat` NIC of `mac`.
   */
  nics: z.array(MigrationNic).min(1).max(8).optional(),
  created_at: Timestamp,
  /** The volumes to transfer, with their sizes. */
  volumes: z
    .array(MigrationVolume)
    .min(1)
    .max(DATA_DISK_MAX + 1),
});
export type VmMigrationSpec = z.infer<typeof VmMigrationSpec>;

/** `POST /api/migrations/imports` (target). */
export const OpenImportReq = z.strictObject({
  spec: VmMigrationSpec,
  /** How long the transfer token is good for (default 6 h). */
  ttl_seconds: z
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(6 * 3600),
});
export type OpenImportReq = z.infer<typeof OpenImportReq>;

/** One volume of an import, as the target's host shows it. */
export const ImportVolume = z.object({
  name: MigrationVolumeName,
  volsize: z.int(),
  /** `empty`: nothing received; `partial`: a cut stream left a resume token; `received`. */
  state: z.enum(['empty', 'receiving', 'partial', 'received']),
  /** The latest snapshot received, and its guid (verified against what the sender said). */
  snapshot: z.string().nullable(),
  guid: ZfsGuid.nullable(),
  /** Bytes of stream taken in by the upload running now or last. */
  bytes_received: z.int().min(0),
  /** `receive_resume_token` of a partial receive: `zfs send -t` it to go on. */
  resume_token: z.string().nullable(),
});
export type ImportVolume = z.infer<typeof ImportVolume>;

export const ImportState = z.enum(['open', 'committing', 'committed', 'aborting', 'aborted']);

export const MigrationImport = z.object({
  id: z.string(),
  vm_id: VmId,
  state: ImportState,
  expires_at: Timestamp,
  volumes: z.array(ImportVolume),
  /** The commit's operation, once asked. */
  operation_id: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type MigrationImport = z.infer<typeof MigrationImport>;

/** The one answer that carries the transfer token. */
export const ImportOpened = z.object({
  import_id: z.string(),
  /** Give this to the source as `target_url`: the volumes are PUT below it. */
  upload_url: z.string(),
  transfer_token: TransferToken,
  expires_at: Timestamp,
  import: MigrationImport,
});
export type ImportOpened = z.infer<typeof ImportOpened>;

/** `?flag=true|false` in a query string. */
const QueryFlag = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .default(false);

/** `PUT /api/migrations/imports/{id}/volumes/{name}`: the body is a `zfs send` stream. */
export const UploadVolumeQuery = z.strictObject({
  /** The snapshot the stream carries, and its guid on the sender (checked once received). */
  snapshot: VmSnapshotName,
  guid: ZfsGuid,
  /** An incremental stream from this snapshot (which the target must hold). */
  from: VmSnapshotName.optional(),
  /** A `zfs send -t` stream continuing the partial receive; without it, one is discarded. */
  resume: QueryFlag,
});
export type UploadVolumeQuery = z.infer<typeof UploadVolumeQuery>;

export const CommitImportReq = z.strictObject({
  /** Boot the VM on the target (it ran on the source). */
  start: z.boolean().default(false),
});

/** `POST /api/migrations/exports` (source). */
export const StartExportReq = z.strictObject({
  vm_id: VmId,
  /** The import's `upload_url` on the target agent. */
  target_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .regex(/\/api\/migrations\/imports\/imp_[a-z0-9]+$/, 'must be an import’s upload_url'),
  transfer_token: TransferToken,
  /** Pin of the target agent's certificate (an https target_url). */
  target_fingerprint: CertFingerprint.optional(),
  /** Snapshot of every volume taken for this transfer (made by the export). */
  snapshot: VmSnapshotName,
  /** Send only what changed since this earlier export's snapshot (the target holds it). */
  incremental_from: VmSnapshotName.optional(),
});
export type StartExportReq = z.infer<typeof StartExportReq>;

export const ExportVolume = z.object({
  name: MigrationVolumeName,
  state: z.enum(['pending', 'sending', 'sent']),
  /** Guid of the snapshot sent. */
  guid: ZfsGuid.nullable(),
  bytes_sent: z.int().min(0),
  /** `zfs send -nP`'s estimate of the stream. */
  bytes_total: z.int().min(0),
  /** Streams continued from the target's resume token. */
  resumes: z.int().min(0),
});
export type ExportVolume = z.infer<typeof ExportVolume>;

export const MigrationExport = z.object({
  id: z.string(),
  vm_id: VmId,
  snapshot: z.string(),
  incremental_from: z.string().nullable(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed']),
  bytes_sent: z.int().min(0),
  bytes_total: z.int().min(0),
  volumes: z.array(ExportVolume),
  operation_id: z.string(),
  error: FailureInfo.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type MigrationExport = z.infer<typeof MigrationExport>;
