import { createHash } from 'node:crypto';
import {
  ApiError,
  type ImportOpened,
  type MigrationImport,
  type OpenImportReq,
  type UploadVolumeQuery,
  type VmMigrationSpec,
  type VmOperationResp,
} from '@apiary/protocol';
import { currentRequestId } from '@apiary/server-kit';
import { refuseShortfall } from '../capacity/host-capacity.js';
import type { Db } from '../db/open.js';
import { failedWith } from '../host/host-command-error.js';
import { createFilesystem, destroyDataset, getDataset } from '../host/zfs.js';
import { abortPartialReceive, resumeTokenOf, snapshotGuid } from '../host/zfs-transfer.js';
import { allocateSlot } from '../vms/allocations.js';
import { getOperation, insertOperation, toOperation } from '../vms/operation-store.js';
import type { VmHostDeps } from '../vms/vm-host-deps.js';
import { getVm, insertVm, updateVm } from '../vms/vm-store.js';
import { presentVms } from '../vms/vm-view.js';
import {
  getImport,
  type ImportRow,
  importsIn,
  insertImport,
  liveImportOf,
  mintTransferToken,
  receivedOf,
  specOf,
  updateImport,
} from './import-store.js';
import { liveKey, viewImport, volumeDataset } from './import-view.js';
import { allocateKeptPorts } from './port-choice.js';
import { removeImported } from './remove-imported.js';
import type { LiveReceives } from './volume-receive.js';

export interface ImportServiceDeps extends VmHostDeps {
  live: LiveReceives;
  /** Longest one volume's stream may take (default a day). */
  receiveTimeoutMs?: number;
  onChange: () => void;
}

export interface CommitParams {
  import_id: string;
  start: boolean;
}

/** zfs refusals a sender must hear about (4xx, with zfs's own words). */
const REFUSALS = [
  'does not match incremental source',
  'has been modified',
  'destination already exists',
  "destination '",
  'invalid backup stream',
  'contains partially-complete state',
  'out of space',
];

/**
 * The target side of moving a VM here (issue 15). Opening an import reserves what the VM
 * needs (a record in state `importing` holds its capacity, address slot and host ports) and
 * mints the transfer token; volumes arrive as `zfs send` streams; the commit makes the zone
 * (import-commit.ts); an abort removes everything received and reserved.
 */
export class ImportService {
  constructor(private readonly deps: ImportServiceDeps) {}

  async open(req: OpenImportReq, requestUrl: string): Promise<ImportOpened> {
    const { db, layout } = this.deps;
    const spec = req.spec;
    if (this.deps.storage !== 'zvol') {
      throw new ApiError('validation', 'moving VMs needs the zvol storage backend on this host');
    }
    checkVolumes(spec);
    if (spec.cdrom) {
      const iso = this.deps.images.resolve(spec.cdrom);
      if (!iso?.row && !this.deps.images.canPull()) {
        throw new ApiError('validation', `the VM's CD-ROM ${spec.cdrom} is not on this host`);
      }
    }
    const total = await this.deps.resources.require();
    const hash = specHash(spec);
    const { token, hash: tokenHash } = mintTransferToken();
    const expiresAt = new Date(Date.now() + req.ttl_seconds * 1000);
    const row = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const existing = getVm(tx, spec.id);
      const current = liveImportOf(tx, spec.id);
      if (existing) {
        // Opening the same import again (a controller that lost the answer) gives a new token.
        if (current?.state === 'open' && existing.specHash === hash) {
          return updateImport(tx, current.id, { tokenHash, expiresAt: expiresAt.toISOString() })!;
        }
        throw new ApiError('conflict', `VM ${spec.id} is already on this host (${existing.state})`);
      }
      const want = {
        cpu: spec.cpu,
        mem: spec.mem,
        disk: spec.disk + spec.disks.reduce((s, d) => s + d.size, 0),
      };
      refuseShortfall(tx, total, want);
      const slot = allocateSlot(tx, layout.subnet.maxSlot);
      const now = new Date().toISOString();
      insertVm(tx, {
        id: spec.id,
        envId: spec.env_id,
        image: spec.image,
        imageDigest: spec.image_digest,
        cdrom: spec.cdrom,
        bootIso: spec.boot_iso,
        cpu: spec.cpu,
        mem: spec.mem,
        disk: spec.disk,
        disks: JSON.stringify(spec.disks),
        ports: JSON.stringify(spec.ports),
        denyOutgoing: spec.deny_outgoing,
        sshKeys: JSON.stringify(spec.ssh_keys),
        cloneMode: spec.clone,
        specHash: hash,
        state: 'importing',
        slot,
        reserved: true,
        needsCleanup: false,
        mac: spec.mac,
        createdAt: spec.created_at,
        updatedAt: now,
      });
      allocateKeptPorts(tx, spec.id, spec.ports, spec.port_map, this.deps.portRange);
      return insertImport(tx, { vmId: spec.id, spec, tokenHash, expiresAt });
    });
    this.deps.log.info({ vm_id: spec.id, import_id: row.id }, 'import opened');
    this.deps.onChange();
    return {
      import_id: row.id,
      upload_url: new URL(`/api/migrations/imports/${row.id}`, requestUrl).toString(),
      transfer_token: token,
      expires_at: row.expiresAt,
      import: await this.view(row),
    };
  }

  async get(id: string): Promise<MigrationImport> {
    return this.view(this.row(id));
  }

  /** One volume's stream: received (`zfs receive -s -u`), then its snapshot's guid checked. */
  async upload(
    id: string,
    name: string,
    query: UploadVolumeQuery,
    body: ReadableStream<Uint8Array> | null,
  ): Promise<MigrationImport> {
    const row = this.openRow(id);
    if (!body) throw new ApiError('validation', 'the body must be a zfs send stream');
    const spec = specOf(row);
    if (!spec.volumes.some((v) => v.name === name)) {
      await body.cancel().catch(() => undefined);
      throw new ApiError('not_found', `the VM ${row.vmId} has no volume ${name}`);
    }
    const release = this.deps.live.claim(liveKey(id, name));
    try {
      return await this.receiveVolume(row, name, query, body);
    } finally {
      release();
    }
  }

  private async receiveVolume(
    row: ImportRow,
    name: string,
    query: UploadVolumeQuery,
    body: ReadableStream<Uint8Array>,
  ): Promise<MigrationImport> {
    const { exec, layout, db } = this.deps;
    const id = row.id;
    const target = volumeDataset(layout, row.vmId, name);
    const done = receivedOf(row)[name];
    if (done?.snapshot === query.snapshot && done.guid === query.guid) {
      // A repeat of a stream already taken in (the sender missed the answer): nothing to do.
      await body.cancel().catch(() => undefined);
      return this.view(row);
    }
    await createFilesystem(exec, layout.vmDataset(row.vmId));
    const token = await resumeTokenOf(exec, target);
    if (query.resume && !token) {
      await body.cancel().catch(() => undefined);
      throw new ApiError('conflict', `${name} has no partial receive to resume: send it whole`);
    }
    // A stream sent whole replaces whatever a cut one left.
    if (!query.resume && token) await abortPartialReceive(exec, target);
    try {
      await this.deps.live.receive(
        liveKey(id, name),
        exec,
        target,
        body,
        this.deps.receiveTimeoutMs ?? 24 * 3600_000,
      );
    } catch (error) {
      const refusal = REFUSALS.find((text) => failedWith(error, text));
      if (refusal) {
        const stderr = (error as { stderr: string }).stderr.trim().replace(/\s+/g, ' ');
        throw new ApiError('conflict', stderr.slice(0, 400), { cause: error });
      }
      throw error;
    }
    const snapshot = `${target}@${query.snapshot}`;
    const [guid, ds] = await Promise.all([snapshotGuid(exec, snapshot), getDataset(exec, target)]);
    if (ds?.type !== 'volume' || guid !== query.guid) {
      // Not what the sender said it sent: none of it is kept (a new send starts over).
      await destroyDataset(exec, target, true);
      const received = { ...receivedOf(this.row(id)) };
      delete received[name];
      updateImport(db, id, { received: JSON.stringify(received) });
      throw new ApiError(
        'validation',
        ds?.type !== 'volume'
          ? `the stream for ${name} is not a volume; it was discarded`
          : `${snapshot} arrived with guid ${guid}, not the sender's ${query.guid}; it was discarded`,
      );
    }
    const received = { ...receivedOf(this.row(id)), [name]: { snapshot: query.snapshot, guid } };
    const updated = updateImport(db, id, { received: JSON.stringify(received) })!;
    this.deps.log.info(
      { import_id: id, volume: name, snapshot: query.snapshot },
      'volume received',
    );
    return this.view(updated);
  }

  /** Accept the commit: every volume received in full; the runner makes the zone. */
  async commit(id: string, start: boolean): Promise<VmOperationResp> {
    const { db } = this.deps;
    const view = await this.get(id);
    const missing = view.volumes.filter((v) => v.state !== 'received').map((v) => v.name);
    if (view.state === 'open' && missing.length > 0) {
      throw new ApiError('conflict', `volumes not received in full yet: ${missing.join(', ')}`);
    }
    const accepted = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const row = getImport(tx, id)!;
      const vm = getVm(tx, row.vmId);
      if (row.state === 'committing' || row.state === 'committed') {
        const op = row.operationId ? getOperation(tx, row.operationId) : undefined;
        if (vm && op) return { vm, op, fresh: false };
      }
      if (row.state !== 'open' || !vm) {
        throw new ApiError('conflict', `import ${id} is ${row.state}; it cannot be committed`);
      }
      const params: CommitParams = { import_id: id, start };
      const op = insertOperation(
        tx,
        vm.id,
        'import',
        currentRequestId() ?? null,
        new Date(),
        params,
      );
      updateImport(tx, id, { state: 'committing', operationId: op.id });
      return { vm: updateVm(tx, vm.id, { operationId: op.id })!, op, fresh: true };
    });
    if (accepted.fresh) this.deps.runner.schedule(accepted.op);
    return {
      vm: presentVms(db, this.deps.layout, [accepted.vm])[0]!,
      operation: toOperation(accepted.op),
    };
  }

  /** Drop an import not committed: streams stopped, volumes destroyed, reservations freed. */
  async abort(id: string): Promise<MigrationImport> {
    const { db } = this.deps;
    const row = this.row(id);
    if (row.state === 'aborted') return this.view(row);
    if (row.state === 'committing' || row.state === 'committed') {
      throw new ApiError(
        'conflict',
        `import ${id} is ${row.state}: the VM is made here; delete it as a VM`,
      );
    }
    updateImport(db, id, { state: 'aborting', tokenHash: null });
    await this.deps.live.cancelAll(`${id}/`);
    const left = await removeImported(this.deps, row);
    if (left.length > 0) {
      throw new ApiError('host_command_failed', `the import is not gone: ${left.join('; ')}`, {
        forClient: true,
        retryable: true,
      });
    }
    const done = updateImport(db, id, { state: 'aborted' })!;
    this.deps.log.info({ import_id: id, vm_id: row.vmId }, 'import aborted');
    this.deps.onChange();
    return this.view(done);
  }

  /**
   * Background: finish aborts an agent restart cut short, and abort imports whose token
   * expired an hour ago without a commit (a controller that gave up must not leave volumes).
   */
  async sweep(now = Date.now()): Promise<void> {
    for (const row of importsIn(this.deps.db, ['open', 'aborting'])) {
      const stale = row.state === 'open' && Date.parse(row.expiresAt) + 3600_000 < now;
      if (row.state !== 'aborting' && !stale) continue;
      await this.abort(row.id).catch((error) =>
        this.deps.log.warn({ import_id: row.id, error }, 'removing an import failed'),
      );
    }
  }

  private view(row: ImportRow): Promise<MigrationImport> {
    return viewImport(row, this.deps);
  }

  private row(id: string): ImportRow {
    const row = getImport(this.deps.db, id);
    if (!row) throw new ApiError('not_found', `no import ${id}`);
    return row;
  }

  private openRow(id: string): ImportRow {
    const row = this.row(id);
    if (row.state !== 'open') throw new ApiError('conflict', `import ${id} is ${row.state}`);
    if (Date.parse(row.expiresAt) < Date.now()) {
      throw new ApiError('forbidden', `import ${id} has expired`);
    }
    return row;
  }
}

/** The volumes must be the VM's boot disk and exactly its data disks. */
function checkVolumes(spec: VmMigrationSpec): void {
  const want = ['disk0', ...spec.disks.map((d) => `data${d.n}`)].sort();
  const got = spec.volumes.map((v) => v.name).sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) {
    throw new ApiError(
      'validation',
      `spec.volumes must be ${want.join(', ')} (the boot disk and each data disk), not ${got.join(', ')}`,
    );
  }
}

function specHash(spec: VmMigrationSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex');
}
