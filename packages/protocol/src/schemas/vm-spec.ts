import { z } from 'zod';
import { isEnvNetworkName } from './env-overlay.js';
import { GuestUserName } from './guest-user.js';
import { VmNetworks } from './host-network.js';
import { EnvId, ImageRef } from './names.js';
import { RecipeName } from './recipe.js';
import { SshPublicKey } from './ssh-key.js';

/** Engines named in the seed API. Apiary hosts offer `bhyve`; placement says so per host. */
export const Engine = z.enum(['bhyve', 'qemu', 'firecracker', 'docker', 'jail']);
export type Engine = z.infer<typeof Engine>;

export const SSH_PORT = 22;

/** Limits of one VM. Memory and disk are MiB, as in the seed API. */
export const VM_LIMITS = {
  cpu: { min: 1, max: 64, default: 2 },
  mem: { min: 256, max: 1_048_576, default: 1024 },
  disk: { min: 1024, max: 16_777_216, default: 40_960 },
  ports: { max: 32 },
} as const;

/** A guest TCP port, 1 to 65535. */
export const Port = z.int().min(1).max(65535);

/**
 * Guest ports to expose. Duplicates are refused (they are almost always a typo); port 22 is
 * always exposed whether or not it is listed, so the stored list always starts with 22.
 */
export const Ports = z
  .array(Port)
  .max(VM_LIMITS.ports.max)
  .superRefine((ports, ctx) => {
    const seen = new Set<number>();
    for (const [i, p] of ports.entries()) {
      if (seen.has(p)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate port ${p}` });
      seen.add(p);
    }
  })
  .transform((ports) => [SSH_PORT, ...ports.filter((p) => p !== SSH_PORT)]);

/**
 * One VM of an environment (seed 003 `VmSpec`). Its boot disk is a clone of `image`, or, for an
 * install from an ISO (`boot_iso`, an image of format `iso`, issue 13), an empty disk of `disk`
 * MiB (the same default as any VM: 40 GiB, sparse) with the ISO in its CD-ROM, which it boots
 * first. Exactly one of the two; that the image named has the right format is checked where
 * names are resolved (the controller).
 */
export const VmSpec = z
  .strictObject({
    image: ImageRef.optional(),
    boot_iso: ImageRef.optional(),
    engine: Engine.default('bhyve'),
    cpu: z.int().min(VM_LIMITS.cpu.min).max(VM_LIMITS.cpu.max).default(VM_LIMITS.cpu.default),
    mem: z.int().min(VM_LIMITS.mem.min).max(VM_LIMITS.mem.max).default(VM_LIMITS.mem.default),
    disk: z.int().min(VM_LIMITS.disk.min).max(VM_LIMITS.disk.max).default(VM_LIMITS.disk.default),
    ports: Ports.prefault([]),
    deny_outgoing: z.boolean().default(false),
    /**
     * Networks the VM joins, first = primary (issue 14); placement only considers hosts that
     * offer every one. An environment's private network is added by the controller.
     */
    networks: VmNetworks.refine(
      (names) => !names.some(isEnvNetworkName),
      'env-... names are environment networks: ask for private_network instead',
    ).default(['nat']),
    /** A serial-console recipe run after the VM's first boot (its newest version). */
    recipe: RecipeName.optional(),
    /**
     * The user cloud-init creates with the environment's SSH keys (issue 16); default: the
     * image's `default_user`, else none (the keys go to the distribution's default user).
     */
    user: GuestUserName.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.image === undefined && spec.boot_iso === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['image'],
        message: 'give an image, or boot_iso to install from an ISO',
      });
    } else if (spec.image !== undefined && spec.boot_iso !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['boot_iso'],
        message: 'give image or boot_iso, not both',
      });
    }
  });
export type VmSpec = z.infer<typeof VmSpec>;
export type VmSpecInput = z.input<typeof VmSpec>;

export const LIFETIME = { min: 60, max: 30 * 24 * 3600, default: 21_600 } as const;

/** Seconds an environment lives (default 6 h); extendable later, never silently capped. */
export const Lifetime = z.int().min(LIFETIME.min).max(LIFETIME.max);

/** What to do when some VMs of a new environment cannot be created. */
export const OnFailure = z.enum(['rollback', 'keep']);

/** `POST /v1/envs` (seed 003 `CreateEnvReq`). */
export const CreateEnvReq = z.strictObject({
  id: EnvId,
  owner: z.string().min(1).max(64).optional(),
  ssh_keys: z.array(SshPublicKey).min(1).max(32),
  vms: z.array(VmSpec).min(1).max(64),
  lifetime: Lifetime.default(LIFETIME.default),
  /** `rollback` (default): all or nothing. `keep`: keep the VMs that were created. */
  on_failure: OnFailure.default('rollback'),
  /**
   * One private L2 network (VXLAN overlay) all the environment's VMs join wherever they are
   * placed, isolated from every other environment (issue 14).
   */
  private_network: z.boolean().default(false),
  /** Super-admins may create in another organization; everyone else gets their own. */
  org_id: z.string().optional(),
});
export type CreateEnvReq = z.infer<typeof CreateEnvReq>;
export type CreateEnvReqInput = z.input<typeof CreateEnvReq>;

/** `POST /v1/envs/{id}/extend`: add seconds to the remaining lifetime. */
export const ExtendEnvReq = z.strictObject({
  seconds: z.int().min(60).max(LIFETIME.max),
});
export type ExtendEnvReq = z.infer<typeof ExtendEnvReq>;
