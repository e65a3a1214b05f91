import {
  ApiError,
  type ExportAccepted,
  type ExportVolume,
  type MigrationExport,
  type StartExportReq,
  type StorageBackend,
  type VmMigrationSpec,
  type VmOperationResp,
} from '@apiary/protocol';
import { currentRequestId, type Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { getDataset } from '../host/zfs.js';
import { destroySnapshot } from '../host/zfs-snapshots.js';
import type { OperationRunner } from '../vms/operation-runner.js';
import { getOperation, insertOperation, pendingFor, toOperation } from '../vms/operation-store.js';
import { listSnapshotRows } from '../vms/snapshot-store.js';
import type { VmService } from '../vms/vm-service.js';
import { getVm, updateVm } from '../vms/vm-store.js';
import {
  deleteExportRow,
  type ExportRow,
  exportOfOperation,
  getExport,
  insertExport,
  latestExportOf,
  toMigrationExport,
} from './export-store.js';
import { migrationSpec, volumeNames } from './migration-spec.js';

export interface ExportServiceDeps {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
  runner: OperationRunner;
  vms: VmService;
  storage: StorageBackend;
  live: Map<string, ExportVolume[]>;
}

const conflict = (msg: string, retryable = false) => new ApiError('conflict', msg, { retryable });

/**
 * The source side of moving a VM (issue 15): its spec for the target, exports of its volumes
 * (an `export` operation on the VM, one operation per VM at a time as always), and its
 * release once it runs elsewhere.
 */
export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  spec(id: string): Promise<VmMigrationSpec> {
    this.requireZvol();
    return migrationSpec(this.deps, id);
  }

  async start(req: StartExportReq): Promise<ExportAccepted> {
    this.requireZvol();
    const { db, exec, layout } = this.deps;
    const vm = getVm(db, req.vm_id);
    if (!vm) throw new ApiError('not_found', `no VM ${req.vm_id}`);
    if (req.incremental_from === req.snapshot) {
      throw new ApiError('validation', 'incremental_from must be an earlier snapshot');
    }
    // Snapshots (and clones of them) are not moved: the VM would lose them silently.
    const kept = listSnapshotRows(db, vm.id).map((r) => r.name);
    if (kept.length > 0) {
      throw conflict(
        `VM ${vm.id} has snapshots (${kept.join(', ')}): they do not move; delete them first`,
      );
    }
    const disk0 = layout.vmDisk(vm.id);
    if (await getDataset(exec, `${disk0}@${req.snapshot}`)) {
      throw conflict(`VM ${vm.id} already has a snapshot ${req.snapshot}`);
    }
    if (req.incremental_from && !(await getDataset(exec, `${disk0}@${req.incremental_from}`))) {
      throw conflict(`VM ${vm.id} has no snapshot ${req.incremental_from} to send from`);
    }
    const { row, op } = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const fresh = getVm(tx, req.vm_id);
      if (!fresh) throw new ApiError('not_found', `no VM ${req.vm_id}`);
      const busy = pendingFor(tx, fresh.id)[0];
      if (busy)
        throw conflict(`operation ${busy.id} (${busy.kind}) is in progress on ${fresh.id}`, true);
      if (!['running', 'stopped'].includes(fresh.state)) {
        throw conflict(`VM ${fresh.id} is ${fresh.state}; it can move when running or stopped`);
      }
      const op = insertOperation(
        tx,
        fresh.id,
        'export',
        currentRequestId() ?? null,
        new Date(),
        {},
      );
      const row = insertExport(tx, req, op.id, volumeNames(fresh));
      updateVm(tx, fresh.id, { operationId: op.id });
      return { row, op };
    });
    this.deps.log.info({ vm_id: vm.id, export_id: row.id }, 'export accepted');
    this.deps.runner.schedule(op);
    return { export: this.view(row), operation: toOperation(op) };
  }

  get(id: string): MigrationExport {
    return this.view(this.row(id));
  }

  /**
   * The export operation `operationId` runs (none when it is not an export's): a controller
   * that lost the answer to a start finds the operation by its request id, then the export.
   */
  ofOperation(operationId: string) {
    const row = exportOfOperation(this.deps.db, operationId);
    const items = row ? [this.view(row)] : [];
    return { items, total: items.length, limit: items.length, offset: 0 };
  }

  /** A finished export given up: its snapshot goes (the VM stays as it is). */
  async remove(id: string): Promise<MigrationExport> {
    const { db, exec, layout } = this.deps;
    const row = this.row(id);
    const view = this.view(row);
    if (view.state === 'pending' || view.state === 'running') {
      throw conflict(`export ${id} is ${view.state}`, true);
    }
    const vm = getVm(db, row.vmId);
    if (vm) {
      for (const name of volumeNames(vm))
        await destroySnapshot(exec, `${layout.vmDataset(vm.id)}/${name}@${row.snapshot}`);
    }
    deleteExportRow(db, id);
    return view;
  }

  /**
   * The VM's copy here goes, once it was exported and runs elsewhere: stopped, nothing running
   * on it, and its last export succeeded. It is deleted like any VM (everything it held).
   */
  async release(id: string): Promise<VmOperationResp> {
    const { db } = this.deps;
    const vm = getVm(db, id);
    if (!vm) throw new ApiError('not_found', `no VM ${id}`);
    const last = latestExportOf(db, id);
    const lastOp = last ? getOperation(db, last.operationId) : undefined;
    if (lastOp?.state !== 'succeeded') {
      throw conflict(`VM ${id} has no finished export: it has not moved, so it is not released`);
    }
    if (vm.state !== 'stopped' || vm.operationId) {
      throw conflict(`VM ${id} is ${vm.state}; it is released when stopped`);
    }
    return this.deps.vms.delete(id);
  }

  private view(row: ExportRow): MigrationExport {
    const op = getOperation(this.deps.db, row.operationId);
    return toMigrationExport(row, op, this.deps.live.get(row.id));
  }

  private row(id: string): ExportRow {
    const row = getExport(this.deps.db, id);
    if (!row) throw new ApiError('not_found', `no export ${id}`);
    return row;
  }

  private requireZvol(): void {
    if (this.deps.storage !== 'zvol') {
      throw new ApiError('validation', 'moving VMs needs the zvol storage backend on this host');
    }
  }
}
