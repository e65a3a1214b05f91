import type { FailureCode, RecipeStep, Scope, UsageSummary } from '@apiary/protocol';
import type { DrainMoveRecord } from './drain-moves.js';

/** A VM's data disk as stored: slot, size in MiB, bytes used (null: unknown). */
export type VmDiskRecord = { n: number; size: number; used: number | null };

import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/*
 * The PostgreSQL twin of sqlite-schema.ts: the same tables, columns, keys and indexes (a test
 * compares them), with PostgreSQL's types where SQLite has none of its own: booleans, jsonb,
 * bigint for times in ms and byte counts. Services are typed against this schema.
 *
 * Database tables. Times are integer milliseconds since the epoch (UTC); wire schemas turn them
 * into ISO strings. Secrets are never stored in clear: keys and tokens as sha256 (looked up by
 * their non-secret prefix, compared in constant time), agent API keys encrypted (the controller
 * must present them), passwords as scrypt.
 */

export const orgs = pgTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  /** Image storage quota in bytes; null: the controller's default (`--org-image-quota-bytes`). */
  imageQuotaBytes: bigint('image_quota_bytes', { mode: 'number' }),
});

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['super_admin', 'org_admin', 'member'] }).notNull(),
  orgId: text('org_id').references(() => orgs.id),
  disabled: boolean('disabled').notNull().default(false),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('sessions_prefix').on(t.prefix)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    role: text('role', { enum: ['super_admin', 'org_admin', 'member'] }).notNull(),
    orgId: text('org_id').references(() => orgs.id),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** What the key may touch (protocol `SCOPES`); null: every scope. */
    scopes: jsonb('scopes').$type<Scope[]>(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
    lastUsedAt: bigint('last_used_at', { mode: 'number' }),
  },
  (t) => [index('api_keys_prefix').on(t.prefix)],
);

export const licenseKeys = pgTable(
  'license_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    orgId: text('org_id').references(() => orgs.id),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
  },
  (t) => [index('license_keys_prefix').on(t.prefix)],
);

export const hosts = pgTable(
  'hosts',
  {
    id: text('id').primaryKey(),
    hostname: text('hostname').notNull(),
    addr: text('addr').notNull(),
    publicAddr: text('public_addr').notNull(),
    orgId: text('org_id').references(() => orgs.id),
    source: text('source', { enum: ['registered', 'added'] }).notNull(),
    liveness: text('liveness', { enum: ['ready', 'suspect', 'down'] }).notNull(),
    policy: text('policy', { enum: ['eligible', 'draining', 'maintenance'] }).notNull(),
    engines: jsonb('engines').$type<string[]>().notNull(),
    storage: text('storage', { enum: ['zvol', 'file'] }).notNull(),
    agentVersion: text('agent_version').notNull(),
    apiVersion: text('api_version').notNull(),
    /** AES-256-GCM ciphertext of the agent's `wh_` key (the controller presents it). */
    agentKeyEnc: text('agent_key_enc'),
    /** SHA-256 fingerprint of the agent's pinned certificate (an `https://` agent). */
    tlsFingerprint: text('tls_fingerprint'),
    /**
     * Another certificate the agent presented since: set means "certificate changed", and
     * nothing is sent to the agent until an operator accepts it (it becomes the pin).
     */
    tlsPresentedFingerprint: text('tls_presented_fingerprint'),
    /** The host credential (null: none, or revoked: the host cannot authenticate). */
    credentialPrefix: text('credential_prefix'),
    credentialHash: text('credential_hash'),
    /** An operator asked for a new credential; the next heartbeat hands it over. */
    credentialRotateAt: bigint('credential_rotate_at', { mode: 'number' }),
    /** The rotated credential handed over but not yet used by the agent (both work till then). */
    nextCredentialPrefix: text('next_credential_prefix'),
    nextCredentialHash: text('next_credential_hash'),
    /** After an operator's reset: a license-key registration is accepted until then, once. */
    reregisterUntil: bigint('reregister_until', { mode: 'number' }),
    licenseKeyId: text('license_key_id'),
    totalCpu: integer('total_cpu').notNull().default(0),
    totalMem: integer('total_mem').notNull().default(0),
    totalDisk: integer('total_disk').notNull().default(0),
    /** What the agent reports its VMs use, all of them. */
    usedCpu: integer('used_cpu').notNull().default(0),
    usedMem: integer('used_mem').notNull().default(0),
    usedDisk: integer('used_disk').notNull().default(0),
    /**
     * Part of `used` that is not ours: VMs this controller did not place (created on the agent
     * directly, or left over). Capacity checks count it on top of our reservations.
     */
    foreignCpu: integer('foreign_cpu').notNull().default(0),
    foreignMem: integer('foreign_mem').notNull().default(0),
    foreignDisk: integer('foreign_disk').notNull().default(0),
    /** What this controller reserved for VMs it placed; changed only by conditional writes. */
    reservedCpu: integer('reserved_cpu').notNull().default(0),
    reservedMem: integer('reserved_mem').notNull().default(0),
    reservedDisk: integer('reserved_disk').notNull().default(0),
    vmCount: integer('vm_count').notNull().default(0),
    /** Names of the networks VMs can join there, from its inventory (issue 14): placement filters on them. */
    networks: jsonb('networks').$type<string[]>().notNull().default(['nat']),
    /**
     * The agent's latest usage summary (CPU %, memory, traffic; its own `sampled_at`). Written
     * only when a heartbeat or poll carries one, which agents send only when it moved.
     */
    usage: jsonb('usage').$type<UsageSummary>(),
    inventoryGeneration: bigint('inventory_generation', { mode: 'number' }).notNull().default(-1),
    lastHeartbeatAt: bigint('last_heartbeat_at', { mode: 'number' }),
    registeredAt: bigint('registered_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('hosts_org').on(t.orgId),
    index('hosts_sched').on(t.liveness, t.policy),
    // `GET /v1/hosts` pages in this order: read from the index, not sorted per request.
    index('hosts_list').on(t.hostname, t.id),
  ],
);

/** Images each host holds, from its inventory (placement prefers them). */
export const hostImages = pgTable(
  'host_images',
  {
    hostId: text('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    digest: text('digest').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.hostId, t.digest] }),
    index('host_images_digest').on(t.digest, t.hostId),
  ],
);

/**
 * VM ids a host holds something of (zone, datasets, links) that the controller has no live
 * record of, as the last reconcile pass found them. `firstSeenAt` starts the grace period of
 * the `remove` orphan policy; a row goes when the host no longer holds the id.
 */
export const hostOrphans = pgTable(
  'host_orphans',
  {
    hostId: text('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    vmId: text('vm_id').notNull(),
    /** An Apiary agent made the zone (or there is no zone, only Apiary datasets or links). */
    apiary: boolean('apiary').notNull(),
    zoneState: text('zone_state'),
    /** What the host holds, in words (`zone (running)`, `dataset rpool/...`), JSON. */
    holds: jsonb('holds').$type<string[]>().notNull(),
    firstSeenAt: bigint('first_seen_at', { mode: 'number' }).notNull(),
    lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
    /** Set when a removal was asked of the agent (remove policy); the error of the last try. */
    removalAt: bigint('removal_at', { mode: 'number' }),
    removalError: text('removal_error'),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.vmId] })],
);

export const drains = pgTable(
  'drains',
  {
    id: text('id').primaryKey(),
    hostId: text('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    mode: text('mode', { enum: ['wait', 'stop', 'migrate'] }).notNull(),
    state: text('state', { enum: ['draining', 'complete', 'cancelled', 'failed'] }).notNull(),
    deadline: bigint('deadline', { mode: 'number' }),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    /** VM ids on the host when the drain started: progress is measured against these. */
    vmIds: jsonb('vm_ids').$type<string[]>().notNull(),
    /** Set once the stop requests of a `stop` drain went out. */
    stopIssuedAt: bigint('stop_issued_at', { mode: 'number' }),
    /** `migrate` drains (issue 15): moves at once, and each VM's move. */
    maxParallel: integer('max_parallel'),
    moves: jsonb('moves').$type<Record<string, DrainMoveRecord>>(),
  },
  (t) => [index('drains_host').on(t.hostId, t.startedAt)],
);

/*
 * Environments and VMs have two identities. `name` is what users chose and address
 * (`GET /v1/envs/{name}`), unique within an organization only: another organization may use the
 * same names. `id` is internal and unique across the controller: it keys the sagas, the
 * reservations, the drains and the agent calls, and a VM's `id` is its zone name on its host,
 * so two organizations' `shared-0` never meet on one host or in this database. Rows from before
 * names existed keep their old id as their name (the id was the name then).
 */
export const envs = pgTable(
  'envs',
  {
    id: text('id').primaryKey(),
    /** The user's name for it, unique within its organization (`my-env`). */
    name: text('name').notNull(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    owner: text('owner'),
    createdBy: text('created_by'),
    state: text('state', {
      enum: [
        'creating',
        'active',
        'degraded',
        'stopping',
        'stopped',
        'starting',
        'deleting',
        'deleted',
        'failed',
      ],
    }).notNull(),
    sshKeys: jsonb('ssh_keys').$type<string[]>().notNull(),
    lifetime: integer('lifetime').notNull(),
    onFailure: text('on_failure', { enum: ['rollback', 'keep'] }).notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    /** Its private network across hosts (issue 14): the VXLAN id, unique, and its subnet. */
    vni: integer('vni'),
    privateSubnet: text('private_subnet'),
  },
  (t) => [
    uniqueIndex('envs_org_name').on(t.orgId, t.name),
    uniqueIndex('envs_vni').on(t.vni),
    index('envs_expiry').on(t.state, t.expiresAt),
    // `GET /v1/envs` pages newest first (ties by id), for one organization or all of them:
    // walked in index order and stopped at the page's end instead of sorting every row.
    index('envs_list').on(sql`${t.createdAt} desc`, t.id),
    index('envs_org_list').on(t.orgId, sql`${t.createdAt} desc`, t.id),
  ],
);

export const vms = pgTable(
  'vms',
  {
    /** Internal and global: the zone name on the host (`<env id>-<idx>`). */
    id: text('id').primaryKey(),
    /** What users address, unique within the organization: `<env name>-<idx>`. */
    name: text('name').notNull(),
    envId: text('env_id')
      .notNull()
      .references(() => envs.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    orgId: text('org_id').notNull(),
    hostId: text('host_id'),
    image: text('image').notNull(),
    imageDigest: text('image_digest'),
    /** Installs from an ISO (issue 13): `image` is the ISO, the boot disk started empty. */
    bootIso: boolean('boot_iso').notNull().default(false),
    engine: text('engine').notNull(),
    cpu: integer('cpu').notNull(),
    mem: integer('mem').notNull(),
    disk: integer('disk').notNull(),
    ports: jsonb('ports').$type<number[]>().notNull(),
    denyOutgoing: boolean('deny_outgoing').notNull(),
    state: text('state').notNull(),
    ip: text('ip'),
    portMap: jsonb('port_map').$type<Record<string, number>>().notNull(),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    generation: bigint('generation', { mode: 'number' }).notNull().default(0),
    /** Data disks as the host last reported them (issue 13): `n`, size MiB, used bytes. */
    disks: jsonb('disks').$type<VmDiskRecord[]>(),
    /** Digest of the ISO attached as the CD-ROM, as last reported. */
    cdrom: text('cdrom'),
    /** What a running VM gets at its next start, as last reported (null: nothing). */
    pendingChanges: jsonb('pending_changes').$type<Record<string, unknown>>(),
    /** Whether this VM still holds a capacity reservation on its host (released exactly once). */
    reserved: boolean('reserved').notNull().default(false),
    /** Whether the agent may hold this VM (a create was sent): rollback must delete it. */
    sent: boolean('sent').notNull().default(false),
    /** The networks it joins, first = primary (issue 14); null: `["nat"]`. */
    networks: jsonb('networks').$type<string[]>(),
    /** Its address on its environment's private network (issue 14), unique in the environment. */
    privateIp: text('private_ip'),
    /** Its addresses per network as its host last reported them (issue 14). */
    nics: jsonb('nics').$type<Array<{ network: string; ip: string | null }>>(),
    /** The recipe the VM is set up with over its serial console (issue 16), and its version. */
    /** The user cloud-init creates with the SSH keys (issue 16): the VM's, else its image's. */
    loginUser: text('login_user'),
    recipe: text('recipe'),
    recipeVersion: integer('recipe_version'),
    /** The last recipe run's outcome (`succeeded`, `failed`) and masked transcript. */
    recipeState: text('recipe_state'),
    recipeTranscript: text('recipe_transcript'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('vms_env').on(t.envId),
    index('vms_host').on(t.hostId, t.state),
    uniqueIndex('vms_org_name').on(t.orgId, t.name),
    uniqueIndex('vms_env_private_ip').on(t.envId, t.privateIp),
  ],
);

/**
 * The hosts that have an environment's overlay (issue 14), with their underlay address: the
 * hosts every mapping change goes to, and those an environment's deletion cleans up.
 */
export const envOverlayHosts = pgTable(
  'env_overlay_hosts',
  {
    envId: text('env_id')
      .notNull()
      .references(() => envs.id, { onDelete: 'cascade' }),
    hostId: text('host_id').notNull(),
    underlayIp: text('underlay_ip').notNull(),
    underlayPort: integer('underlay_port').notNull(),
  },
  (t) => [primaryKey({ columns: [t.envId, t.hostId] })],
);

export const images = pgTable(
  'images',
  {
    id: text('id').primaryKey(),
    digest: text('digest').notNull(),
    name: text('name').notNull(),
    format: text('format', { enum: ['zfs-send', 'raw', 'iso'] }).notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    /** null: public (every organization sees it). */
    orgId: text('org_id').references(() => orgs.id),
    /** The recipe a VM made from it runs when its spec names none (issue 16). */
    defaultRecipe: text('default_recipe'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    /** What arrived, when agents receive something else (a qcow2 converted, a .box unpacked). */
    sourceDigest: text('source_digest'),
    /** `qcow2`, `box`, or the stored format. */
    sourceFormat: text('source_format'),
    os: text('os'),
    version: text('version'),
    arch: text('arch'),
    cloudInit: boolean('cloud_init'),
    defaultUser: text('default_user'),
    /** MiB. */
    minDisk: bigint('min_disk', { mode: 'number' }),
    description: text('description'),
    /** The registry box it was pulled from (`ORG/BOX`, its version and provider). */
    boxName: text('box_name'),
    boxVersion: text('box_version'),
    boxProvider: text('box_provider'),
    boxRegistryId: text('box_registry_id'),
  },
  (t) => [uniqueIndex('images_digest_org').on(t.digest, t.orgId), index('images_name').on(t.name)],
);

/**
 * Vagrant-compatible box registries an organization pulls boxes from. The token (sent as a
 * bearer token to the registry) is sealed with the controller's secret box, like agent keys.
 */
export const registries = pgTable(
  'registries',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    name: text('name').notNull(),
    url: text('url').notNull(),
    tokenEnc: text('token_enc'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('registries_org_name').on(t.orgId, t.name)],
);

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Console tickets outstanding: single use, short-lived, and shared by every controller (a ticket
 * issued by one is spent on whichever the websocket reaches). Only the ticket's sha256 is kept.
 */
export const consoleTickets = pgTable(
  'console_tickets',
  {
    hash: text('hash').primaryKey(),
    /** Who it counts for (`user:<id>` or `key:<id>`), and its organization (`org:<id>`). */
    userKey: text('user_key').notNull(),
    orgKey: text('org_key').notNull(),
    /** The grant (VM, kind, the caller's principal, request id), as issued. */
    grant: jsonb('grant').$type<Record<string, unknown>>().notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('console_tickets_user').on(t.userKey, t.expiresAt),
    index('console_tickets_org').on(t.orgKey, t.expiresAt),
    index('console_tickets_expiry').on(t.expiresAt),
  ],
);

/**
 * Leases: who runs a singleton loop (reaper, liveness evaluator, drain executor, ...) or owns a
 * saga. Taking an expired lease raises its epoch; every write made under a lease is conditional
 * on the epoch it was taken with, so a holder that was paused past its lease cannot act.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  epoch: bigint('epoch', { mode: 'number' }).notNull(),
  /** In the database's own clock (ms), so controllers' clocks never disagree about it. */
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
});

/**
 * The controller's durable sagas (environment create/start/stop/delete, VM actions, moves): the
 * journal of each, so that any controller can resume or undo it after its owner died. Who runs a
 * saga is the lease `saga:<id>`. One running saga per resource, enforced by the unique index.
 */
export const sagas = pgTable(
  'sagas',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** What the saga changes (`env:<id>`): at most one running saga each. */
    resource: text('resource').notNull(),
    state: text('state', { enum: ['running', 'undoing', 'succeeded', 'failed'] }).notNull(),
    /** The step begun last (`undo:<step>` while undoing). */
    step: text('step'),
    doneSteps: jsonb('done_steps').$type<string[]>().notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    /** VM change sagas (issue 13): the VM's organization and internal id, for reads by tenancy. */
    orgId: text('org_id'),
    vmId: text('vm_id'),
    /** What the saga made once it succeeded (a cloned VM, a published image). */
    result: jsonb('result').$type<Record<string, unknown>>(),
    /** The agent operation it follows, recorded as soon as the agent accepted the request. */
    agentOp: text('agent_op'),
    /** Capacity reserved at accept and not yet settled: given back exactly once by its undo. */
    reserved: jsonb('reserved').$type<{ hostId: string; cpu: number; mem: number; disk: number }>(),
    /** Undo steps that failed: what the saga may have left behind. */
    /** A migration's copy while it runs (issue 15): bytes sent of the estimated total. */
    progress: jsonb('progress').$type<
      | { bytes_sent: number; bytes_total: number }
      | { phase: string; bytes_received: number; bytes_total: number | null }
    >(),
    /** What a saga's steps learned from agents and need after a restart (ids they gave). */
    memo: jsonb('memo').$type<Record<string, unknown>>(),
    leftovers: jsonb('leftovers').$type<string[]>().notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('sagas_one_per_resource')
      .on(t.resource)
      .where(sql`${t.state} IN ('running', 'undoing')`),
    index('sagas_vm').on(t.vmId, t.createdAt),
    index('sagas_state').on(t.state),
  ],
);

/**
 * The audit trail: who did what to which resource, from where, and how it ended. One row per
 * state-changing request (heartbeats aside) and per background action (reaper, drains,
 * liveness). Never a secret: bodies are not kept, only what names the resource. Pruned after
 * `--audit-retention-days`.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: bigint('at', { mode: 'number' }).notNull(),
    /** The organization whose members may read it (null: super-admins only). */
    orgId: text('org_id'),
    actorKind: text('actor_kind', {
      enum: ['user', 'api_key', 'localhost', 'host', 'system'],
    }).notNull(),
    /** User id (also for an API key: its owner), host id, or the background pass's name. */
    actorId: text('actor_id'),
    /** As it was then: a username, hostname or pass name. */
    actorName: text('actor_name').notNull(),
    /** API key used, if any. */
    apiKeyId: text('api_key_id'),
    /** The route's operation (`createEnv`) or the background action (`liveness.down`). */
    action: text('action').notNull(),
    resourceKind: text('resource_kind').notNull(),
    resourceId: text('resource_id'),
    outcome: text('outcome', { enum: ['succeeded', 'accepted', 'failed'] }).notNull(),
    errorCode: text('error_code'),
    requestId: text('request_id'),
    sourceAddr: text('source_addr'),
  },
  (t) => [
    index('audit_at').on(t.at),
    index('audit_org_at').on(t.orgId, t.at),
    index('audit_resource').on(t.resourceKind, t.resourceId, t.at),
  ],
);

/**
 * Serial-console recipes of an organization (issue 16): one row per version; a PUT adds the
 * next version, a delete removes them all (VMs keep the name and version they ran).
 */
export const recipes = pgTable(
  'recipes',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    description: text('description').notNull(),
    steps: jsonb('steps').$type<RecipeStep[]>().notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.name, t.version] })],
);

/** Secrets recipes reference (`{{secret:NAME}}`), sealed with the installation's key. */
export const orgSecrets = pgTable(
  'org_secrets',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    sealed: text('sealed').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.name] })],
);
