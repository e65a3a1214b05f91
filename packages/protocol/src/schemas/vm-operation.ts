import { z } from 'zod';
import { OperationState } from './agent.js';
import { Timestamp } from './common.js';
import { FailureInfo } from './failure-codes.js';
import { EnvId, ImageDigest, ImageName, VmId } from './names.js';
import { SshPublicKey } from './ssh-key.js';
import { PortMap, Vm } from './vm.js';

/*
 * Changing a VM through the controller (issue 13). Each change is a durable controller
 * operation: accepted with 202 and its id, run as a saga under the VM's environment lease
 * (reserve capacity, ask the agent, follow its operation, record the outcome, give the
 * reservation back on failure), resumed by any controller after a crash, polled at
 * `GET /v1/operations/{id}`.
 */

export const VmOperationKind = z.enum([
  'update',
  'add_disk',
  'remove_disk',
  'attach_cdrom',
  'detach_cdrom',
  'snapshot',
  'rollback',
  'delete_snapshot',
  'clone',
  'publish_image',
  'migrate',
]);
export type VmOperationKind = z.infer<typeof VmOperationKind>;

/**
 * Operations on no VM: bringing an image in from the world (issue 16). `POST /v1/images/fetch`
 * and `POST /v1/images/pull-box` answer 202 with one; it downloads in the background.
 */
export const ImageOperationKind = z.enum(['fetch_image', 'pull_box']);
export type ImageOperationKind = z.infer<typeof ImageOperationKind>;

/** Every kind `GET /v1/operations/{id}` reports. */
export const ControllerOperationKind = z.enum([
  ...VmOperationKind.options,
  ...ImageOperationKind.options,
]);
export type ControllerOperationKind = z.infer<typeof ControllerOperationKind>;

/** How far a migration's copy is: bytes sent (both copies) of the estimated total. */
export const MigrationProgress = z.object({
  bytes_sent: z.int().min(0),
  bytes_total: z.int().min(0),
});
export type MigrationProgress = z.infer<typeof MigrationProgress>;

/**
 * How far an image intake is: its phase (`download`, then `verify` (a box's checksum),
 * `unpack` (a box), `convert` (qemu-img, qcow2 only), `store`), and the bytes downloaded of
 * the total when the server said it (null: it did not send a Content-Length).
 */
export const IntakeProgress = z.object({
  phase: z.enum(['download', 'verify', 'unpack', 'convert', 'store']),
  bytes_received: z.int().min(0),
  bytes_total: z.int().min(0).nullable(),
});
export type IntakeProgress = z.infer<typeof IntakeProgress>;

export const VmOperation = z.object({
  /** The id of the controller saga that runs it (`saga_...`). */
  id: z.string(),
  /** The VM changed (its name, as every `/v1/vms/{id}` route takes it); null: an image intake. */
  vm_id: VmId.nullable(),
  kind: ControllerOperationKind,
  state: OperationState,
  /** Step in progress or last done (`reserve`, `agent`, `record`, `release`, ...). */
  step: z.string().nullable(),
  error: FailureInfo.nullable(),
  /** A migration's transfer while it runs: bytes the source sent of `zfs send -nP`'s estimate. */
  progress: MigrationProgress.nullable().optional(),
  /** An image intake's phase and download while it runs (fetch_image, pull_box). */
  intake: IntakeProgress.nullable().optional(),
  /**
   * What the operation keeps retrying, in words, while it runs: a migration whose VM runs on its
   * new host while the old host has not removed its copy yet.
   */
  warning: z.string().nullable().optional(),
  /**
   * What the operation made, once it succeeded: the cloned VM, the published image; a
   * migration's hosts, its downtime (stop to start) and the VM's port map on the new host.
   */
  result: z
    .object({
      vm_id: VmId.optional(),
      image: ImageName.optional(),
      image_digest: ImageDigest.optional(),
      from_host: z.string().optional(),
      to_host: z.string().optional(),
      downtime_ms: z.int().min(0).optional(),
      port_map: PortMap.optional(),
    })
    .nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type VmOperation = z.infer<typeof VmOperation>;

/** The 202 of an image fetch or box pull: the operation to follow. */
export const ImageOperationAccepted = z.object({ operation: VmOperation });
export type ImageOperationAccepted = z.infer<typeof ImageOperationAccepted>;

/** The 202 of every change: the VM as it stands, and the operation to follow. */
export const VmOperationAccepted = z.object({ vm: Vm, operation: VmOperation });
export type VmOperationAccepted = z.infer<typeof VmOperationAccepted>;

/** `POST /v1/vms/{id}/snapshots/{name}/clone`: the new VM joins `env` (the source's by default). */
export const CloneSnapshotReq = z.strictObject({
  env: EnvId.optional(),
  /** Keys for the new VM's fresh cloud-init; the environment's when left out. */
  ssh_keys: z.array(SshPublicKey).max(32).optional(),
});
export type CloneSnapshotReq = z.infer<typeof CloneSnapshotReq>;

/** `POST /v1/vms/{id}/snapshots/{name}/image`: publish the snapshot's boot disk as an image. */
export const PublishSnapshotReq = z.strictObject({ name: ImageName });
export type PublishSnapshotReq = z.infer<typeof PublishSnapshotReq>;

/**
 * `POST /v1/vms/{id}/migrate`: move the VM to another host of its organization (issue 15).
 * `to` names the host; without it placement picks one (never the VM's own host).
 */
export const MigrateVmReq = z.strictObject({
  to: z.string().min(1).max(64).optional(),
});
export type MigrateVmReq = z.infer<typeof MigrateVmReq>;
