import { z } from 'zod';
import { AgentApiKeyString, StorageBackend } from './agent.js';
import { Resources, Timestamp } from './common.js';
import { HostOrphan } from './host-vms.js';
import { HostPort, ImageDigest } from './names.js';
import { UsageSummary } from './stats.js';
import { CertFingerprint, HostTls } from './tls.js';
import { ControllerVmState } from './vm.js';
import { Engine } from './vm-spec.js';

/** Observed from heartbeats: green / yellow / red. Never destroys anything by itself. */
export const HostLiveness = z.enum(['ready', 'suspect', 'down']);
export type HostLiveness = z.infer<typeof HostLiveness>;

/** Set by operators: whether new VMs may be placed on the host. */
export const HostPolicy = z.enum(['eligible', 'draining', 'maintenance']);
export type HostPolicy = z.infer<typeof HostPolicy>;

export const HostCapacity = z.object({
  total: Resources,
  reserved: Resources,
  free: Resources,
});
export type HostCapacity = z.infer<typeof HostCapacity>;

/**
 * `wait`: let VMs end by themselves. `stop`: stop them at the deadline. `migrate`: move them to
 * other hosts (issue 15).
 */
export const DrainMode = z.enum(['wait', 'stop', 'migrate']);
export type DrainMode = z.infer<typeof DrainMode>;

export const DrainState = z.enum(['draining', 'complete', 'cancelled', 'failed']);
export type DrainState = z.infer<typeof DrainState>;

/** A drain is a tracked object: it reports `complete` only when the VMs are really gone. */
export const Drain = z.object({
  host_id: z.string(),
  mode: DrainMode,
  state: DrainState,
  deadline: Timestamp.nullable(),
  started_at: Timestamp,
  finished_at: Timestamp.nullable(),
  vms_total: z.int().min(0),
  vms_remaining: z.int().min(0),
  vms_failed: z.int().min(0),
  /** `migrate`: VMs moved off the host, and being moved now; null for other modes. */
  vms_moved: z.int().min(0).nullable().optional(),
  vms_moving: z.int().min(0).nullable().optional(),
  /**
   * `migrate`: moved VMs that run on their new host while this host has not removed its copy
   * yet (the release is retried): counted among `vms_moving`, the drain is not finished while
   * any is left. Null for other modes.
   */
  vms_releasing: z.int().min(0).nullable().optional(),
  /** `migrate`: moves at once. */
  max_parallel: z.int().min(1).nullable().optional(),
  complete: z.boolean(),
  vms: z.array(
    z.object({
      id: z.string(),
      env_id: z.string(),
      state: ControllerVmState,
      /** Why it failed or, for `migrate`, why it could not be moved (no host can take it). */
      error: z.string().nullable(),
      /** `migrate`: where its move stands. */
      move: z.enum(['waiting', 'moving', 'moved', 'failed', 'cancelled']).nullable().optional(),
      /** `migrate`: its move's warning, e.g. this host's copy not removed yet (retried). */
      warning: z.string().nullable().optional(),
    }),
  ),
});
export type Drain = z.infer<typeof Drain>;

/** `POST /v1/hosts/{id}/drain`. */
export const DrainReq = z.strictObject({
  mode: DrainMode.default('wait'),
  /**
   * Seconds from now. `stop` stops what is left at the deadline (default: at once); `migrate`
   * stops, at the deadline, what it has not moved yet (default: no deadline).
   */
  deadline_seconds: z
    .int()
    .min(0)
    .max(30 * 24 * 3600)
    .optional(),
  /** `migrate`: VMs moved at once (default 1). */
  max_parallel: z.int().min(1).max(16).optional(),
});
export type DrainReq = z.infer<typeof DrainReq>;

/**
 * Where a host's credential stands (see docs/security.md):
 * - `none`: added by address; the controller polls it and it holds no credential.
 * - `active`: the agent proves itself with its credential.
 * - `rotating`: an operator asked for a new one; the next heartbeat hands it over, and the old
 *   one works until the agent uses the new one.
 * - `revoked`: no credential is accepted; only an operator's reset lets the host back in.
 * - `awaiting_registration`: reset; one registration with a license key of the host's
 *   organization is accepted, without a credential, until `reregister_until`.
 */
export const HostCredentialState = z.enum([
  'none',
  'active',
  'rotating',
  'revoked',
  'awaiting_registration',
]);
export type HostCredentialState = z.infer<typeof HostCredentialState>;

export const HostCredential = z.object({
  state: HostCredentialState,
  reregister_until: Timestamp.nullable(),
});
export type HostCredential = z.infer<typeof HostCredential>;

/** Re-registration stays open this long after a reset unless the operator says otherwise. */
export const DEFAULT_REREGISTER_WINDOW_S = 3600;

/** `POST /v1/hosts/{id}/reset-credential`. */
export const ResetHostCredentialReq = z.strictObject({
  /** Seconds during which the next registration is accepted without a credential. */
  expires_in: z
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(DEFAULT_REREGISTER_WINDOW_S),
});
export type ResetHostCredentialReq = z.infer<typeof ResetHostCredentialReq>;

/** A host as operators see it (`GET /v1/hosts/{id}`). */
export const Host = z.object({
  id: z.string(),
  hostname: z.string(),
  /** Base URL of the agent's API (`https://10.0.0.2:9100`). */
  addr: z.string(),
  /** How the controller trusts the agent's certificate (pinned at registration or add). */
  tls: HostTls,
  /** Address users connect to for forwarded ports. */
  public_addr: z.string(),
  org_id: z.string().nullable(),
  /** `registered` (agent came with a license key) or `added` (an operator added it). */
  source: z.enum(['registered', 'added']),
  liveness: HostLiveness,
  policy: HostPolicy,
  engines: z.array(Engine),
  storage: StorageBackend,
  agent_version: z.string(),
  api_version: z.string(),
  capacity: HostCapacity,
  /**
   * What the host is really doing, next to what is reserved: the agent's latest usage summary
   * (`sampled_at` says when it was taken), as its heartbeats last carried it (they carry it only
   * when it moved, or every few minutes). Null until the host has sent one.
   */
  usage: UsageSummary.nullable().default(null),
  vm_count: z.int().min(0),
  images: z.array(ImageDigest),
  last_heartbeat_at: Timestamp.nullable(),
  registered_at: Timestamp,
  drain: Drain.nullable(),
  credential: HostCredential,
  /** What the host holds that the controller has no record of (its last reconcile pass). */
  orphans: z.array(HostOrphan).default([]),
});
export type Host = z.infer<typeof Host>;

/**
 * `POST /v1/hosts` (seed 003: `{"addr": "10.0.0.2:9100"}`). The controller tests the connection
 * before saving. `api_key` is an existing agent key; `bootstrap_token` is the claim token from
 * the host, traded for a key on the first connection.
 */
export const AddHostReq = z.strictObject({
  addr: z.union([HostPort, z.url({ protocol: /^https?$/ })]),
  api_key: AgentApiKeyString.optional(),
  bootstrap_token: z.string().min(16).max(256).optional(),
  org_id: z.string().optional(),
  public_addr: z.string().max(255).optional(),
  /**
   * The agent's certificate fingerprint (`apiary-agent info` on the host; a connection test
   * without it shows the one presented). Required for an `https://` address: it is pinned.
   */
  tls_fingerprint: CertFingerprint.optional(),
});
export type AddHostReq = z.infer<typeof AddHostReq>;

/** Outcome of a connection test, in words an operator can act on. */
export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  /**
   * `certificate_unknown`: an `https://` agent tested without `tls_fingerprint` (nothing was
   * sent to it; compare the presented fingerprint with `apiary-agent info` and pass it).
   * `certificate_mismatch`: the agent presented another certificate than `tls_fingerprint`.
   */
  result: z.enum([
    'ok',
    'bad_key',
    'refused',
    'timeout',
    'incompatible_api_version',
    'certificate_unknown',
    'certificate_mismatch',
    'error',
  ]),
  msg: z.string(),
  /** The fingerprint of the certificate the agent presented (`https://` addresses). */
  tls_fingerprint: z.string().optional(),
  agent_version: z.string().optional(),
  api_version: z.string().optional(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

export const UpdateHostReq = z.strictObject({
  org_id: z.string().nullable().optional(),
  public_addr: z.string().max(255).optional(),
});
export type UpdateHostReq = z.infer<typeof UpdateHostReq>;
