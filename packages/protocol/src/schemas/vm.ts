import { z } from 'zod';
import { Timestamp } from './common.js';
import { FailureInfo } from './failure-codes.js';
import { EnvId, ImageDigest, VmId } from './names.js';
import { VmRecipeRun } from './recipe.js';
import { PendingChanges, VmDisk } from './vm-change.js';
import { Engine, Port } from './vm-spec.js';

/** States a VM has on its host (agent's view). */
export const VmState = z.enum([
  'creating',
  'running',
  'stopping',
  'stopped',
  'starting',
  'deleting',
  'deleted',
  'failed',
  /** Arriving from another host (issue 15): volumes being received, not yet a zone. */
  'importing',
]);
export type VmState = z.infer<typeof VmState>;

/**
 * The controller's view adds `pending` (placed, not yet accepted by the agent) and `unknown`
 * (its host stopped answering: the VM is not assumed gone, only unobserved).
 */
export const ControllerVmState = z.enum([...VmState.options, 'pending', 'unknown']);
export type ControllerVmState = z.infer<typeof ControllerVmState>;

/** Guest port -> host port, as strings of numbers (JSON object keys): `{ "22": 40022 }`. */
export const PortMap = z.record(z.string().regex(/^\d+$/), Port);
export type PortMap = z.infer<typeof PortMap>;

/** `GET /v1/vms/{id}` and the VMs inside an environment. */
export const Vm = z.object({
  id: VmId,
  env_id: EnvId,
  host_id: z.string().nullable(),
  /** Address a user connects to: the host's public address (ports are forwarded there). */
  host_addr: z.string().nullable(),
  image: z.string(),
  image_digest: ImageDigest.nullable(),
  /**
   * Created to install from an ISO (issue 13): `image` names that ISO, the boot disk started
   * empty and the VM boots its CD-ROM first. Absent from older controllers.
   */
  boot_iso: z.boolean().optional(),
  engine: Engine,
  cpu: z.int(),
  mem: z.int(),
  disk: z.int(),
  ports: z.array(Port),
  deny_outgoing: z.boolean(),
  state: ControllerVmState,
  /** Private address of the VM on its host's NAT network. */
  ip: z.string().nullable(),
  port_map: PortMap,
  error: FailureInfo.nullable(),
  /** Last generation the agent reported; increases with every state change on the host. */
  generation: z.int().min(0),
  /** Data disks besides the boot disk, as its host last reported them (issue 13). */
  disks: z.array(VmDisk).optional(),
  /** The ISO attached as its CD-ROM. */
  cdrom: ImageDigest.nullable().optional(),
  /** What a running VM gets at its next start (null: nothing). */
  pending_changes: PendingChanges.optional(),
  /**
   * Its addresses per network, primary first (issue 14): from its agent's report; the
   * environment's private network (`private`) as the controller allocated it.
   */
  nics: z.array(z.object({ network: z.string(), ip: z.string().nullable() })).optional(),
  /** The change operation running on it (`saga_...`), if any. */
  operation_id: z.string().nullable().optional(),
  /** The serial-console recipe it was set up with and its last run (issue 16), if any. */
  recipe_run: VmRecipeRun.nullable().optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Vm = z.infer<typeof Vm>;
