import type { FailureCode } from '@apiary/protocol';
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/*
 * Database tables. Times are integer milliseconds since the epoch (UTC); wire schemas turn them
 * into ISO strings. Secrets are never stored in clear: keys and tokens as sha256 (looked up by
 * their non-secret prefix, compared in constant time), agent API keys encrypted (the controller
 * must present them), passwords as scrypt.
 */

export const orgs = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ['super_admin', 'org_admin', 'member'] }).notNull(),
  orgId: text('org_id').references(() => orgs.id),
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
});

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_prefix').on(t.prefix)],
);

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    role: text('role', { enum: ['super_admin', 'org_admin', 'member'] }).notNull(),
    orgId: text('org_id').references(() => orgs.id),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('api_keys_prefix').on(t.prefix)],
);

export const licenseKeys = sqliteTable(
  'license_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    orgId: text('org_id').references(() => orgs.id),
    createdAt: integer('created_at').notNull(),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('license_keys_prefix').on(t.prefix)],
);

export const hosts = sqliteTable(
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
    engines: text('engines', { mode: 'json' }).$type<string[]>().notNull(),
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
    credentialPrefix: text('credential_prefix'),
    credentialHash: text('credential_hash'),
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
    inventoryGeneration: integer('inventory_generation').notNull().default(-1),
    lastHeartbeatAt: integer('last_heartbeat_at'),
    registeredAt: integer('registered_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('hosts_org').on(t.orgId),
    index('hosts_sched').on(t.liveness, t.policy),
    // Placement walks this index to the hosts with the most (spread) or least (binpack) free
    // memory instead of sorting the whole fleet: the expression must match `freeMemOf` exactly.
    index('hosts_free_mem').on(
      t.orgId,
      t.liveness,
      t.policy,
      sql`(${t.totalMem} - ${t.reservedMem} - ${t.foreignMem})`,
    ),
  ],
);

/** Images each host holds, from its inventory (placement prefers them). */
export const hostImages = sqliteTable(
  'host_images',
  {
    hostId: text('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    digest: text('digest').notNull(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.digest] }), index('host_images_digest').on(t.digest)],
);

export const drains = sqliteTable(
  'drains',
  {
    id: text('id').primaryKey(),
    hostId: text('host_id')
      .notNull()
      .references(() => hosts.id, { onDelete: 'cascade' }),
    mode: text('mode', { enum: ['wait', 'stop', 'migrate'] }).notNull(),
    state: text('state', { enum: ['draining', 'complete', 'cancelled', 'failed'] }).notNull(),
    deadline: integer('deadline'),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    /** VM ids on the host when the drain started: progress is measured against these. */
    vmIds: text('vm_ids', { mode: 'json' }).$type<string[]>().notNull(),
    /** Set once the stop requests of a `stop` drain went out. */
    stopIssuedAt: integer('stop_issued_at'),
  },
  (t) => [index('drains_host').on(t.hostId, t.startedAt)],
);

export const envs = sqliteTable(
  'envs',
  {
    id: text('id').primaryKey(),
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
    sshKeys: text('ssh_keys', { mode: 'json' }).$type<string[]>().notNull(),
    lifetime: integer('lifetime').notNull(),
    onFailure: text('on_failure', { enum: ['rollback', 'keep'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
  },
  (t) => [index('envs_org').on(t.orgId), index('envs_expiry').on(t.state, t.expiresAt)],
);

export const vms = sqliteTable(
  'vms',
  {
    id: text('id').primaryKey(),
    envId: text('env_id')
      .notNull()
      .references(() => envs.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    orgId: text('org_id').notNull(),
    hostId: text('host_id'),
    image: text('image').notNull(),
    imageDigest: text('image_digest'),
    engine: text('engine').notNull(),
    cpu: integer('cpu').notNull(),
    mem: integer('mem').notNull(),
    disk: integer('disk').notNull(),
    ports: text('ports', { mode: 'json' }).$type<number[]>().notNull(),
    denyOutgoing: integer('deny_outgoing', { mode: 'boolean' }).notNull(),
    state: text('state').notNull(),
    ip: text('ip'),
    portMap: text('port_map', { mode: 'json' }).$type<Record<string, number>>().notNull(),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    generation: integer('generation').notNull().default(0),
    /** Whether this VM still holds a capacity reservation on its host (released exactly once). */
    reserved: integer('reserved', { mode: 'boolean' }).notNull().default(false),
    /** Whether the agent may hold this VM (a create was sent): rollback must delete it. */
    sent: integer('sent', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('vms_env').on(t.envId), index('vms_host').on(t.hostId, t.state)],
);

export const images = sqliteTable(
  'images',
  {
    id: text('id').primaryKey(),
    digest: text('digest').notNull(),
    name: text('name').notNull(),
    format: text('format', { enum: ['zfs-send', 'raw'] }).notNull(),
    size: integer('size').notNull(),
    /** null: public (every organization sees it). */
    orgId: text('org_id').references(() => orgs.id),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('images_digest_org').on(t.digest, t.orgId), index('images_name').on(t.name)],
);

export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
