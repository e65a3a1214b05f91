import { z } from 'zod';
import { AgentApiKeyString, AgentVm, StorageBackend } from './agent.js';
import { Resources } from './common.js';
import { InventoryNetwork } from './host-network.js';
import { ImageDigest } from './names.js';
import { UsageSummary } from './stats.js';
import { CertFingerprint } from './tls.js';
import { Engine } from './vm-spec.js';

/*
 * The agent <-> controller link (`/v1/internal/*`). An agent registers with a license key and
 * gets a per-host credential for its heartbeats. Heartbeats are cheap: the inventory travels only
 * when its generation changed since the controller last acknowledged it.
 */

/** What an agent reports about its VMs. Generation numbers let the controller drop stale news. */
export const VmReport = AgentVm.pick({
  id: true,
  env_id: true,
  state: true,
  error: true,
  ip: true,
  port_map: true,
  generation: true,
  nics: true,
});
export type VmReport = z.infer<typeof VmReport>;

/** The most VMs and images one host reports: far above what a host runs, a bound on the body. */
export const MAX_INVENTORY_ITEMS = 10_000;

/** Bytes a registration or heartbeat body may take: a full inventory at its bound. */
export const INVENTORY_BODY_LIMIT = 8 * 1024 * 1024;

export const Inventory = z.object({
  /** Increases whenever anything below changes. */
  generation: z.int().min(0),
  resources: z.object({ total: Resources, used: Resources }),
  images: z.array(ImageDigest).max(MAX_INVENTORY_ITEMS),
  vms: z.array(VmReport).max(MAX_INVENTORY_ITEMS),
  /** Networks VMs can join on this host (absent from agents older than issue 14). */
  networks: z.array(InventoryNetwork).max(256).optional(),
});
export type Inventory = z.infer<typeof Inventory>;

/**
 * The header in which a registering agent proves it is the host it claims to be: the host
 * credential it holds from an earlier registration. Registering an id the controller already
 * knows needs it (a license key alone creates a host once, it never takes one over).
 */
export const HOST_CREDENTIAL_HEADER = 'x-apiary-host-credential';

/**
 * The license key travels as `Authorization: Bearer <key>`, never in the body; the current host
 * credential, when the agent has one, as `X-Apiary-Host-Credential`.
 */
export const RegisterHostReq = z.strictObject({
  host_id: z.string().min(1).max(64),
  hostname: z.string().min(1).max(255),
  /** Base URL where the controller reaches this agent. */
  addr: z.url({ protocol: /^https?$/ }),
  public_addr: z.string().max(255).optional(),
  agent_version: z.string().max(64),
  api_version: z.string().max(16),
  engines: z.array(Engine).min(1),
  storage: StorageBackend,
  /** Key the controller uses to call this agent; stored encrypted by the controller. */
  agent_api_key: AgentApiKeyString,
  /**
   * SHA-256 fingerprint of the certificate the agent serves at an `https://` `addr`; the
   * controller pins it and refuses another certificate until an operator accepts it.
   */
  tls_fingerprint: CertFingerprint.optional(),
  inventory: Inventory,
});
export type RegisterHostReq = z.infer<typeof RegisterHostReq>;

export const RegisterHostResp = z.object({
  host_id: z.string(),
  /**
   * Bearer credential for heartbeat, deregister and image pulls; stored hashed. A host that
   * proved its current credential gets that same credential back (nothing to lose in transit).
   */
  host_credential: z.string(),
  heartbeat_interval_ms: z.int().min(100),
  controller_version: z.string(),
  api_version: z.string(),
});
export type RegisterHostResp = z.infer<typeof RegisterHostResp>;

export const HeartbeatReq = z.strictObject({
  generation: z.int().min(0),
  /** Present only when `generation` differs from the last acknowledged one. */
  inventory: Inventory.optional(),
  /**
   * Present only when the host's usage moved by more than the agent's thresholds since the
   * last summary the controller accepted (and again after a while, or a new registration).
   */
  usage: UsageSummary.optional(),
});
export type HeartbeatReq = z.infer<typeof HeartbeatReq>;

/**
 * The common heartbeat, `{ "generation": n }` and nothing else, recognised without walking
 * `HeartbeatReq`: a plain object whose one key is a safe non-negative integer `generation`.
 * Anything else (an inventory, a usage summary, a stray key) goes through the schema.
 */
export function isPlainHeartbeat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  let keys = 0;
  for (const key in value) {
    if (key !== 'generation') return false;
    keys++;
  }
  const generation = (value as { generation?: unknown }).generation;
  return keys === 1 && Number.isSafeInteger(generation) && (generation as number) >= 0;
}

export const HeartbeatResp = z.object({
  /** When to send the next heartbeat (TTL scaled with fleet size, with jitter). */
  next_heartbeat_ms: z.int().min(100),
  /** Latest inventory generation the controller holds; resend the inventory if it is older. */
  ack_generation: z.int().min(-1),
  /**
   * A rotated credential (an operator asked for one). The agent stores it and uses it from the
   * next request on; the one it used here stays valid until the controller sees the new one.
   */
  host_credential: z.string().optional(),
});
export type HeartbeatResp = z.infer<typeof HeartbeatResp>;

export const DeregisterReq = z.strictObject({ reason: z.string().max(200).optional() });
