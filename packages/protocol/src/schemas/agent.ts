import { z } from 'zod';
import { Resources, Timestamp } from './common.js';
import { EnvNic, isEnvNetworkName } from './env-overlay.js';
import { FailureInfo } from './failure-codes.js';
import { GuestUserName } from './guest-user.js';
import { VmNetworks, VmNic } from './host-network.js';
import { EnvId, ImageDigest, ImageName, ImageRef, VmId } from './names.js';
import { SshPublicKey } from './ssh-key.js';
import { PortMap, VmState } from './vm.js';
import { PendingChanges, VmDisk } from './vm-change.js';
import { Engine, Port, Ports, VM_LIMITS } from './vm-spec.js';

/**
 * Where VM disks live: ZFS volumes (`zvol`, default) or plain files (`file`). The seed API's
 * aliases `zfs` and `raw` are accepted on input and reported in their canonical spelling.
 */
export const StorageBackend = z.preprocess(
  (v) => (v === 'zfs' ? 'zvol' : v === 'raw' ? 'file' : v),
  z.enum(['zvol', 'file']),
);
export type StorageBackend = z.infer<typeof StorageBackend>;

/** Image formats an agent can import: a `zfs send` stream or a raw disk image. */
export const ImageFormat = z.enum(['zfs-send', 'raw']);
export type ImageFormat = z.infer<typeof ImageFormat>;

/**
 * What an agent's image store holds: disk images (as `ImageFormat`) and ISOs (`iso`, kept as a
 * file and attached to VMs as a CD-ROM, never cloned into a disk).
 */
export const AgentImageFormat = z.enum([...ImageFormat.options, 'iso']);
export type AgentImageFormat = z.infer<typeof AgentImageFormat>;

/** An image held in an agent's local store. */
export const AgentImage = z.object({
  digest: ImageDigest,
  name: z.string().nullable(),
  format: AgentImageFormat,
  size: z.int().min(0),
  /** Dataset (zvol backend) or file path (file backend) holding the image. */
  location: z.string(),
  imported_at: Timestamp,
  vm_count: z.int().min(0),
});
export type AgentImage = z.infer<typeof AgentImage>;

/** `GET /api/info`. */
export const AgentInfo = z.object({
  host_id: z.string(),
  hostname: z.string(),
  agent_version: z.string(),
  api_version: z.string(),
  engines: z.array(Engine),
  storage: StorageBackend,
  resources: z.object({ total: Resources, used: Resources }),
  images: z.array(AgentImage),
  vm_count: z.int().min(0),
  /** Controller this agent is registered with, if any. */
  controller: z
    .object({
      url: z.string(),
      registered: z.boolean(),
      last_heartbeat_at: Timestamp.nullable(),
      /** Why the last attempt to reach the controller failed (e.g. its certificate changed). */
      last_error: z.string().nullable().optional(),
    })
    .nullable(),
});
export type AgentInfo = z.infer<typeof AgentInfo>;

/**
 * `POST /api/vms`: create a VM. The same request sent twice creates one VM. Its boot disk is a
 * clone of `image`, or (`boot_iso`, an ISO image) an empty disk of `disk` MiB that the VM
 * installs onto from its CD-ROM, which it boots from.
 */
export const CreateVmReq = z
  .strictObject({
    id: VmId,
    env_id: EnvId,
    image: ImageRef.optional(),
    boot_iso: ImageRef.optional(),
    cpu: z.int().min(VM_LIMITS.cpu.min).max(VM_LIMITS.cpu.max).default(VM_LIMITS.cpu.default),
    mem: z.int().min(VM_LIMITS.mem.min).max(VM_LIMITS.mem.max).default(VM_LIMITS.mem.default),
    disk: z.int().min(VM_LIMITS.disk.min).max(VM_LIMITS.disk.max).default(VM_LIMITS.disk.default),
    ports: Ports.prefault([]),
    deny_outgoing: z.boolean().default(false),
    ssh_keys: z.array(SshPublicKey).max(32).default([]),
    /** The user the generated cloud-init user-data creates with `ssh_keys` (issue 16). */
    user: GuestUserName.optional(),
    /** Thin `zfs clone` of the image (default) or an independent full copy. */
    clone: z.enum(['thin', 'full']).default('thin'),
    /** Networks the VM joins, first = primary; absent: `["nat"]`. */
    networks: VmNetworks.optional(),
    /** The MAC and address of the VM's NIC on its environment's overlay (`env-<vni>`). */
    env_nic: EnvNic.optional(),
  })
  .refine((r) => (r.networks ?? []).some(isEnvNetworkName) === (r.env_nic !== undefined), {
    message: 'env_nic goes with an env-... network, and only with one',
    path: ['env_nic'],
  })
  .refine((r) => (r.image === undefined) !== (r.boot_iso === undefined), {
    message: 'give exactly one of image and boot_iso',
    path: ['image'],
  })
  // What the VM records as its image: the ISO's reference for an ISO install.
  .transform((r) => ({ ...r, image: (r.image ?? r.boot_iso) as ImageRef }));
export type CreateVmReq = z.infer<typeof CreateVmReq>;
export type CreateVmReqInput = z.input<typeof CreateVmReq>;

/** A VM as its agent sees it. */
export const AgentVm = z.object({
  id: VmId,
  env_id: EnvId,
  state: VmState,
  error: FailureInfo.nullable(),
  image: z.string(),
  image_digest: ImageDigest.nullable(),
  cpu: z.int(),
  mem: z.int(),
  disk: z.int(),
  ports: z.array(Port),
  deny_outgoing: z.boolean(),
  ip: z.string().nullable(),
  port_map: PortMap,
  /** Increases on every state change; lets the controller ignore stale reports. */
  generation: z.int().min(0),
  /** Operation currently running on this VM, if any. */
  operation_id: z.string().nullable(),
  /** Data disks (`disk0`..`disk15`), besides the boot disk. */
  disks: z.array(VmDisk).optional(),
  /** ISO attached as the VM's CD-ROM. */
  cdrom: ImageDigest.nullable().optional(),
  /** Changes a running VM gets when it next starts (null: none). */
  pending_changes: PendingChanges.optional(),
  /** One NIC per network the VM joined, primary first (absent from older agents). */
  nics: z.array(VmNic).optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type AgentVm = z.infer<typeof AgentVm>;

export const OperationKind = z.enum([
  'create',
  'start',
  'stop',
  'restart',
  'delete',
  'update',
  'add_disk',
  'remove_disk',
  'attach_cdrom',
  'detach_cdrom',
  'snapshot',
  'rollback',
  'delete_snapshot',
  /** Stream the VM's volumes to another host's import (issue 15). */
  'export',
  /** Make an imported VM's zone from its received volumes (issue 15). */
  'import',
  /** Run a recipe on the VM's serial console (issue 16). */
  'recipe_run',
]);
export type OperationKind = z.infer<typeof OperationKind>;

export const OperationState = z.enum(['pending', 'running', 'succeeded', 'failed']);
export type OperationState = z.infer<typeof OperationState>;

/** Long work on a host: answered `202` with this, then polled at `/api/operations/{id}`. */
export const Operation = z.object({
  id: z.string(),
  vm_id: VmId,
  kind: OperationKind,
  state: OperationState,
  /** Saga step in progress or last completed (`clone`, `vnic`, `zonecfg`, `boot`, ...). */
  step: z.string().nullable(),
  error: FailureInfo.nullable(),
  /** A recipe run's console transcript, secrets masked (absent for other kinds). */
  transcript: z.string().nullable().optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Operation = z.infer<typeof Operation>;

/** `POST /api/images` query string (the body is the image stream). */
export const UploadImageQuery = z.strictObject({
  name: ImageName,
  format: AgentImageFormat.default('zfs-send'),
  /** Optional expected digest: the upload is refused if the content does not match. */
  digest: ImageDigest.optional(),
});
export type UploadImageQuery = z.infer<typeof UploadImageQuery>;

/** `POST /api/images/pull`: fetch an image by digest from the controller. */
export const PullImageReq = z.strictObject({
  digest: ImageDigest,
  name: ImageName.optional(),
  format: AgentImageFormat.default('zfs-send'),
});
export type PullImageReq = z.infer<typeof PullImageReq>;

/** Agent API keys: `wh_` + 32 hex characters (Zoneweaver's shape). */
export const AgentApiKeyString = z
  .string()
  .regex(/^wh_[0-9a-f]{32,64}$/, 'must be wh_ followed by 32-64 lowercase hex characters');

export const AgentRole = z.enum(['viewer', 'operator', 'admin']);
export type AgentRole = z.infer<typeof AgentRole>;

export const AgentApiKey = z.object({
  id: z.string(),
  name: z.string(),
  role: AgentRole,
  /** First characters of the key, to recognise it; the key itself is shown once. */
  prefix: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
});
export type AgentApiKey = z.infer<typeof AgentApiKey>;

export const CreateAgentApiKeyReq = z.strictObject({
  name: z.string().min(1).max(64),
  role: AgentRole.default('operator'),
});

/** The one response that carries a key in clear text. */
export const CreatedAgentApiKey = AgentApiKey.extend({ key: AgentApiKeyString });
export type CreatedAgentApiKey = z.infer<typeof CreatedAgentApiKey>;

/** `POST /api/api-keys/bootstrap`: trade the claim token from the host for the first key. */
export const BootstrapAgentKeyReq = z.strictObject({
  claim_token: z.string().min(16).max(256),
  name: z.string().min(1).max(64).default('bootstrap'),
});
