import { AgentImageFormat, type FailureCode, OperationKind } from '@apiary/protocol';

import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/*
 * The agent's own records. The host stays the source of truth for what exists (zones, datasets,
 * links); these tables hold intent (specs, reservations, operations and their saga logs) so an
 * interrupted operation can be finished or undone after a crash.
 */

export { migrationExports, migrationImports } from './migration-schema.js';

/** Small key/value facts: host id, inventory generation, controller registration. */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['viewer', 'operator', 'admin'] }).notNull(),
    /** First characters, to recognise a key in a list. */
    prefix: text('prefix').notNull(),
    /** sha256 of the key (keys are 128+ random bits, so a fast hash is enough). */
    hash: text('hash').notNull(),
    /** `user` keys are the operator's; the `controller` key is re-minted at each registration. */
    purpose: text('purpose', { enum: ['user', 'controller'] })
      .notNull()
      .default('user'),
    createdAt: text('created_at').notNull(),
    lastUsedAt: text('last_used_at'),
  },
  (t) => [uniqueIndex('api_keys_hash').on(t.hash)],
);

export const vms = sqliteTable(
  'vms',
  {
    id: text('id').primaryKey(),
    envId: text('env_id').notNull(),
    image: text('image').notNull(),
    imageDigest: text('image_digest'),
    cpu: integer('cpu').notNull(),
    mem: integer('mem').notNull(),
    disk: integer('disk').notNull(),
    /** JSON array of guest ports (22 first). */
    ports: text('ports').notNull(),
    denyOutgoing: integer('deny_outgoing', { mode: 'boolean' }).notNull(),
    /** JSON array of SSH public keys. */
    sshKeys: text('ssh_keys').notNull(),
    /** The user cloud-init creates with those keys (issue 16); null: the guest's default user. */
    loginUser: text('login_user'),
    cloneMode: text('clone_mode', { enum: ['thin', 'full'] }).notNull(),
    /** sha256 of the normalized create request: the same create twice is one VM. */
    specHash: text('spec_hash').notNull(),
    state: text('state').notNull(),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    /** Network slot: decides the VM's IP and VNIC name; unique while allocated. */
    slot: integer('slot'),
    generation: integer('generation').notNull(),
    operationId: text('operation_id'),
    /** Counts toward used capacity while true. */
    reserved: integer('reserved', { mode: 'boolean' }).notNull(),
    /** A failed create whose undo did not finish: the reconciler keeps trying. */
    needsCleanup: integer('needs_cleanup', { mode: 'boolean' }).notNull().default(false),
    /** JSON array of data disks `{ n, size }` (bhyve `disk<n>`, MiB), in slot order. */
    disks: text('disks').notNull().default('[]'),
    /** Digest of the ISO attached as the CD-ROM. */
    cdrom: text('cdrom'),
    /** Installed from an ISO: the boot disk starts empty and the CD-ROM boots first. */
    bootIso: integer('boot_iso', { mode: 'boolean' }).notNull().default(false),
    /** `<vm>@<snapshot>` a clone's disks come from (its create clones them, not the image). */
    sourceSnapshot: text('source_snapshot'),
    /** JSON of the machine (VmMachine) the running zone was booted with: pending changes. */
    booted: text('booted'),
    /** The VNIC's MAC when it must be this one (a VM moved here keeps its address). */
    mac: text('mac'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('vms_slot').on(t.slot), index('vms_env').on(t.envId)],
);

export const portAllocations = sqliteTable(
  'port_allocations',
  {
    hostPort: integer('host_port').primaryKey(),
    vmId: text('vm_id').notNull(),
    guestPort: integer('guest_port').notNull(),
  },
  (t) => [uniqueIndex('port_allocations_vm_guest').on(t.vmId, t.guestPort)],
);

export const operations = sqliteTable(
  'operations',
  {
    id: text('id').primaryKey(),
    vmId: text('vm_id').notNull(),
    kind: text('kind', {
      enum: OperationKind.options as [OperationKind, ...OperationKind[]],
    }).notNull(),
    state: text('state', { enum: ['pending', 'running', 'succeeded', 'failed'] }).notNull(),
    step: text('step'),
    /** JSON array of saga steps completed, in order (what an undo must reverse). */
    doneSteps: text('done_steps').notNull().default('[]'),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    /** Request that started the operation, so its log lines can be found after a resume. */
    requestId: text('request_id'),
    /** JSON of what a change operation was asked (and what it replaces, for its undo). */
    params: text('params'),
    /** A recipe run's console transcript, secrets masked. */
    transcript: text('transcript'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('operations_vm').on(t.vmId), index('operations_state').on(t.state)],
);

export const images = sqliteTable('images', {
  digest: text('digest').primaryKey(),
  name: text('name'),
  format: text('format', {
    enum: AgentImageFormat.options as [AgentImageFormat, ...AgentImageFormat[]],
  }).notNull(),
  size: integer('size').notNull(),
  location: text('location').notNull(),
  /** Size of the image's disk in bytes (a VM's disk may not be smaller). */
  diskBytes: integer('disk_bytes').notNull(),
  importedAt: text('imported_at').notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`),
});

/**
 * Snapshots of VMs: one atomic `zfs snapshot` of every disk the VM had, with the machine it
 * was (restored by a rollback). The datasets are the truth; this row is the configuration.
 */
export const vmSnapshots = sqliteTable(
  'vm_snapshots',
  {
    vmId: text('vm_id').notNull(),
    name: text('name').notNull(),
    /** JSON VmMachine at the moment of the snapshot. */
    machine: text('machine').notNull(),
    /** Bytes held only by the snapshot, summed over its disks (measured after changes). */
    usedBytes: integer('used_bytes'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('vm_snapshots_vm_name').on(t.vmId, t.name)],
);

/**
 * Datasets an administrator created through `/api/storage` (swap volumes included): what they
 * hold or reserve counts in the host's used disk when they are on the VM pool. The host stays
 * the truth: a row whose dataset is gone is dropped by the next refresh.
 */
export const storageDatasets = sqliteTable('storage_datasets', {
  name: text('name').primaryKey(),
  pool: text('pool').notNull(),
  type: text('type', { enum: ['filesystem', 'volume'] }).notNull(),
  /**
   * What it takes from the VM pool's capacity: max(used, reservation) as last measured (at
   * create, the reservation asked for); 0 on another pool.
   */
  chargedBytes: integer('charged_bytes').notNull(),
  /** Added as swap through the API: swapped on again at start (swap -a does not persist). */
  swap: integer('swap', { mode: 'boolean' }).notNull().default(false),
  createdAt: text('created_at').notNull(),
});

/**
 * Networks VMs can join besides the built-in `nat` (issue 14): `bridged` over a host link
 * (optionally tagged with a VLAN id), `private` on an etherstub of its own. Written `creating`
 * before the host is touched, `ready` once its links exist; the start-up pass finishes or
 * removes a `creating` one.
 */
export const networks = sqliteTable('networks', {
  name: text('name').primaryKey(),
  kind: text('kind', { enum: ['bridged', 'private'] }).notNull(),
  /** bridged: the link VM VNICs go over; private: its etherstub (an `apiary...` name). */
  link: text('link').notNull(),
  vlan: integer('vlan'),
  subnet: text('subnet'),
  gateway: text('gateway'),
  /** JSON array of DNS server addresses. */
  dns: text('dns').notNull().default('[]'),
  /** `FIRST-LAST`: the addresses VMs get (static addressing only). */
  range: text('range'),
  state: text('state', { enum: ['creating', 'ready'] }).notNull(),
  createdAt: text('created_at').notNull(),
});

/**
 * A VM's NICs beyond what its slot names (its `nat` NIC, if any, is still `vms.slot`): one row
 * per network it joined, in the order asked (0 = primary). A static address is unique per
 * network by this table's index, so two VMs can never be given the same one.
 */
export const vmNics = sqliteTable(
  'vm_nics',
  {
    vmId: text('vm_id').notNull(),
    idx: integer('idx').notNull(),
    network: text('network').notNull(),
    vnic: text('vnic').notNull(),
    ip: text('ip'),
    /** A fixed MAC address (the NIC on an environment overlay: the controller chose it). */
    mac: text('mac'),
  },
  (t) => [
    uniqueIndex('vm_nics_vm_idx').on(t.vmId, t.idx),
    uniqueIndex('vm_nics_vnic').on(t.vnic),
    uniqueIndex('vm_nics_network_ip').on(t.network, t.ip),
    index('vm_nics_network').on(t.network),
  ],
);

/**
 * Environment overlays (issue 14): a VXLAN overlay device per environment whose VMs run here,
 * with the varpd `files` mapping the controller sent. Written `creating` before the host is
 * touched; the start-up pass finishes or undoes a `creating` one.
 */
export const envOverlays = sqliteTable(
  'env_overlays',
  {
    envId: text('env_id').primaryKey(),
    vni: integer('vni').notNull(),
    subnet: text('subnet').notNull(),
    /** The overlay datalink (`apiaryov<vni>0`). */
    link: text('link').notNull(),
    /** Host path of the varpd `files/config` JSON file. */
    mappingFile: text('mapping_file').notNull(),
    underlayIp: text('underlay_ip').notNull(),
    underlayPort: integer('underlay_port').notNull(),
    /** JSON array of OverlayEntry: the mapping as last written. */
    entries: text('entries').notNull().default('[]'),
    state: text('state', { enum: ['creating', 'ready'] }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('env_overlays_vni').on(t.vni)],
);
