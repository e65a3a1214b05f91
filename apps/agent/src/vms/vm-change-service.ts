import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ApiError,
  type CloneVmReq,
  DATA_DISK_MAX,
  type Resources,
  type UpdateVmReq,
  type VmMachine,
  type VmOperationResp,
} from '@apiary/protocol';
import { currentRequestId } from '@apiary/server-kit';
import { refuseShortfall } from '../capacity/host-capacity.js';
import type { Db } from '../db/open.js';
import { sendStream } from '../host/zfs-snapshots.js';
import { primaryIsNat } from '../network/network-store.js';
import { allocateNics, needsNicRows } from '../network/vm-nic-allocation.js';
import { allocatePorts, allocateSlot } from './allocations.js';
import type {
  ChangeKind,
  DeleteSnapshotParams,
  MachineChangeParams,
  RollbackParams,
  SnapshotParams,
  VmNet,
} from './change-params.js';
import { measureSnapshots } from './change-plans.js';
import {
  insertOperation,
  latestOperation,
  type OperationRow,
  pendingFor,
  toOperation,
} from './operation-store.js';
import {
  clonesOf,
  getSnapshotRow,
  laterSnapshots,
  listSnapshotRows,
  sourceOf,
  toVmSnapshot,
} from './snapshot-store.js';
import type { VmHostDeps } from './vm-host-deps.js';
import { bootedDisks, freeDiskSlot, machineFields, machineOf } from './vm-machine.js';
import { getVm, insertVm, portsOf, updateVm, type VmRow } from './vm-store.js';
import { presentVms } from './vm-view.js';

/** What accepting a change decided: the operation's params and the record's new fields. */
interface Accepted {
  params: unknown;
  changes?: Partial<VmRow>;
}

const conflict = (msg: string, retryable = false) => new ApiError('conflict', msg, { retryable });

/**
 * Changes to existing VMs as the API sees them (issue 13). Like create, accepting is one
 * transaction that validates, checks capacity, reserves and persists the operation with
 * everything its saga needs; the runner does the work. One operation per VM at a time: a
 * change while another runs, or to a VM that is not running or stopped, is a 409.
 */
export class VmChangeService {
  constructor(private readonly deps: VmHostDeps) {}

  async update(id: string, req: UpdateVmReq, restart: boolean): Promise<VmOperationResp> {
    const total = await this.deps.resources.require();
    return this.accept(id, 'update', (tx, vm) => {
      if (req.disk !== undefined && req.disk < vm.disk) {
        throw new ApiError(
          'validation',
          `the boot disk only grows: ${req.disk} MiB is less than its ${vm.disk} MiB`,
          { details: [{ path: 'body.disk', message: 'smaller than the current disk' }] },
        );
      }
      const before = machineOf(vm);
      const after: VmMachine = {
        ...before,
        cpu: req.cpu ?? vm.cpu,
        mem: req.mem ?? vm.mem,
        disk: req.disk ?? vm.disk,
      };
      this.checkCapacity(tx, total, before, after);
      const current = portsOf(tx, id);
      const netBefore: VmNet = { denyOutgoing: vm.denyOutgoing, ports: current };
      let ports = current;
      if (req.ports && !primaryIsNat(tx, id))
        throw new ApiError('validation', 'port forwards need nat as the first network');
      if (req.ports) {
        const wanted = req.ports;
        const fresh = wanted.filter((g) => !current.some((p) => p.guestPort === g));
        // Refused here when the host's port range has no room: nothing was changed yet.
        const allocated = allocatePorts(tx, id, fresh, this.deps.portRange);
        ports = wanted.map(
          (g) =>
            current.find((p) => p.guestPort === g) ?? allocated.find((p) => p.guestPort === g)!,
        );
      }
      const netAfter: VmNet = { denyOutgoing: req.deny_outgoing ?? vm.denyOutgoing, ports };
      // Only a running VM restarts: a stopped one gets the change at its next start anyway.
      const params: MachineChangeParams = {
        before,
        after,
        netBefore,
        netAfter,
        restart: restart && vm.state === 'running',
      };
      return {
        params,
        changes: {
          ...machineFields(after),
          denyOutgoing: netAfter.denyOutgoing,
          ports: JSON.stringify(ports.map((p) => p.guestPort)),
        },
      };
    });
  }

  async addDisk(id: string, size: number): Promise<VmOperationResp> {
    this.requireZvol('data disks');
    const total = await this.deps.resources.require();
    return this.accept(id, 'add_disk', (tx, vm) => {
      const before = machineOf(vm);
      const n = freeDiskSlot(before.disks, DATA_DISK_MAX);
      if (n === null) throw conflict(`VM ${id} has all ${DATA_DISK_MAX} data disk slots taken`);
      const after: VmMachine = { ...before, disks: [...before.disks, { n, size }] };
      this.checkCapacity(tx, total, before, after);
      return this.machineChange(tx, vm, before, after);
    });
  }

  removeDisk(id: string, n: number): VmOperationResp {
    return this.accept(id, 'remove_disk', (tx, vm) => {
      const before = machineOf(vm);
      if (!before.disks.some((d) => d.n === n)) {
        throw new ApiError('not_found', `VM ${id} has no data disk ${n}`);
      }
      if (vm.state === 'running' && bootedDisks(vm).some((d) => d.n === n)) {
        throw conflict(`VM ${id} is running with disk ${n}: stop it first`);
      }
      const holding = listSnapshotRows(tx, id)
        .filter((r) => (JSON.parse(r.machine) as VmMachine).disks.some((d) => d.n === n))
        .map((r) => r.name);
      if (holding.length > 0) {
        throw conflict(`disk ${n} is in snapshots ${holding.join(', ')}: delete them first`);
      }
      const after: VmMachine = { ...before, disks: before.disks.filter((d) => d.n !== n) };
      return this.machineChange(tx, vm, before, after);
    });
  }

  attachCdrom(id: string, ref: string): VmOperationResp {
    const resolved = this.deps.images.resolve(ref);
    const invalid = (msg: string) =>
      new ApiError('validation', msg, { details: [{ path: 'body.image', message: msg }] });
    if (!resolved) throw invalid(`image ${ref} is not on this host`);
    if (resolved.row && resolved.row.format !== 'iso') {
      throw invalid(`image ${ref} is a ${resolved.row.format} image, not an iso`);
    }
    if (!resolved.row && !this.deps.images.canPull()) {
      throw invalid(`image ${ref} is not on this host and there is no controller to pull it from`);
    }
    return this.accept(id, 'attach_cdrom', (tx, vm) => {
      const before = machineOf(vm);
      const after = { ...before, cdrom: resolved.digest as VmMachine['cdrom'] };
      return this.machineChange(tx, vm, before, after);
    });
  }

  detachCdrom(id: string): VmOperationResp {
    return this.accept(id, 'detach_cdrom', (tx, vm) => {
      const before = machineOf(vm);
      if (!before.cdrom) throw conflict(`VM ${id} has no CD-ROM attached`);
      return this.machineChange(tx, vm, before, { ...before, cdrom: null });
    });
  }

  /** The VM's snapshots, with the space each holds measured now (one `zfs list`). */
  async listSnapshots(id: string, limit: number, offset: number) {
    const { db } = this.deps;
    const vm = getVm(db, id);
    if (!vm) throw new ApiError('not_found', `no VM ${id}`);
    if (listSnapshotRows(db, id).length > 0 && this.deps.storage === 'zvol') {
      await measureSnapshots(this.deps.exec, this.deps.layout, db, id).catch((error) =>
        this.deps.log.warn({ vm_id: id, error }, 'snapshot sizes could not be read'),
      );
    }
    const rows = listSnapshotRows(db, id);
    const clones = clonesOf(db, id);
    const items = rows.map((r) =>
      toVmSnapshot(
        r,
        clones.filter((c) => c.source === sourceOf(id, r.name)).map((c) => c.id),
      ),
    );
    return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
  }

  snapshot(id: string, name: string): VmOperationResp {
    this.requireZvol('snapshots');
    return this.accept(id, 'snapshot', (tx, vm) => {
      if (getSnapshotRow(tx, id, name)) throw conflict(`VM ${id} already has a snapshot ${name}`);
      const params: SnapshotParams = { name, machine: machineOf(vm) };
      return { params };
    });
  }

  async rollback(
    id: string,
    name: string,
    opts: { stop: boolean; force: boolean },
  ): Promise<VmOperationResp> {
    const total = await this.deps.resources.require();
    return this.accept(id, 'rollback', (tx, vm) => {
      const row = this.snapshotRow(tx, id, name);
      if (vm.state === 'running' && !opts.stop) {
        throw conflict(`VM ${id} is running: stop it first, or roll back with ?stop=true`);
      }
      const later = laterSnapshots(tx, id, name);
      const cloned = later.flatMap((s) => clonesOf(tx, id, s).map((c) => `${c.id} (of ${s})`));
      if (cloned.length > 0) {
        throw conflict(
          `rolling back to ${name} would destroy snapshots VMs are cloned from: ${cloned.join(', ')}`,
        );
      }
      if (later.length > 0 && !opts.force) {
        throw conflict(
          `rolling back to ${name} destroys the later snapshots ${later.join(', ')}; repeat with ?force=true to confirm`,
        );
      }
      const target = JSON.parse(row.machine) as VmMachine;
      const before = machineOf(vm);
      this.checkCapacity(tx, total, before, target);
      const params: RollbackParams = {
        name,
        stop: opts.stop,
        wasRunning: vm.state === 'running',
        before,
        target,
        later,
      };
      return { params };
    });
  }

  deleteSnapshot(id: string, name: string): VmOperationResp {
    return this.accept(id, 'delete_snapshot', (tx) => {
      const row = this.snapshotRow(tx, id, name);
      const clones = clonesOf(tx, id, name).map((c) => c.id);
      if (clones.length > 0) {
        throw conflict(`snapshot ${name} has clones (${clones.join(', ')}): delete them first`);
      }
      const params: DeleteSnapshotParams = { name, machine: JSON.parse(row.machine) as VmMachine };
      return { params };
    });
  }

  /** A new VM whose disks are thin clones of a snapshot; everything else is its own. */
  async clone(sourceId: string, name: string, req: CloneVmReq): Promise<VmOperationResp> {
    this.requireZvol('clones');
    const { db } = this.deps;
    const total = await this.deps.resources.require();
    const accepted = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const source = getVm(tx, sourceId);
      if (!source) throw new ApiError('not_found', `no VM ${sourceId}`);
      const row = this.snapshotRow(tx, sourceId, name);
      const machine = JSON.parse(row.machine) as VmMachine;
      const sshKeys = req.ssh_keys ?? (JSON.parse(source.sshKeys) as string[]);
      const hash = createHash('sha256')
        .update(
          JSON.stringify([
            sourceOf(sourceId, name),
            req.id,
            req.env_id ?? null,
            sshKeys,
            ...(req.networks ? [req.networks, req.env_nic ?? null] : []),
          ]),
        )
        .digest('hex');
      const existing = getVm(tx, req.id);
      if (existing) {
        if (existing.specHash !== hash) {
          throw conflict(`VM ${req.id} already exists with a different specification`);
        }
        const op = pendingFor(tx, req.id)[0];
        return { vm: existing, op: op ?? null, fresh: false };
      }
      const busy = pendingFor(tx, sourceId).find((o) =>
        ['rollback', 'delete_snapshot', 'delete'].includes(o.kind),
      );
      if (busy)
        throw conflict(`operation ${busy.id} (${busy.kind}) is in progress on ${sourceId}`, true);
      const want = { cpu: machine.cpu, mem: machine.mem, disk: diskTotal(machine) };
      refuseShortfall(tx, total, want);
      const slot = allocateSlot(tx, this.deps.layout.subnet.maxSlot);
      const guestPorts = JSON.parse(source.ports) as number[];
      const now = new Date().toISOString();
      insertVm(tx, {
        id: req.id,
        envId: req.env_id ?? source.envId,
        image: source.image,
        imageDigest: source.imageDigest,
        ...machineFields(machine),
        bootIso: source.bootIso,
        sourceSnapshot: sourceOf(sourceId, name),
        ports: JSON.stringify(guestPorts),
        denyOutgoing: source.denyOutgoing,
        sshKeys: JSON.stringify(sshKeys),
        // A clone's guest is the source's: the same user gets the keys.
        loginUser: source.loginUser,
        cloneMode: 'thin',
        specHash: hash,
        state: 'creating',
        slot,
        reserved: true,
        needsCleanup: false,
        createdAt: now,
        updatedAt: now,
      });
      // Its own NICs on the networks asked (new MACs and addresses), made by the create saga.
      if (needsNicRows(req.networks))
        allocateNics(
          tx,
          this.deps.layout,
          { id: req.id, envId: req.env_id ?? source.envId, slot },
          req.networks,
          req.env_nic,
        );
      // Port forwards go to the VM's nat address, and only when nat is its primary network.
      if ((req.networks?.[0] ?? 'nat') === 'nat')
        allocatePorts(tx, req.id, guestPorts, this.deps.portRange);
      const op = insertOperation(tx, req.id, 'create', currentRequestId() ?? null);
      return { vm: updateVm(tx, req.id, { operationId: op.id })!, op, fresh: true };
    });
    if (accepted.fresh && accepted.op) this.deps.runner.schedule(accepted.op);
    const op = accepted.op ?? latestCreate(this.deps.db, req.id);
    return this.respond(accepted.vm, op);
  }

  /** `zfs send` of the snapshot's boot disk, streamed as it is made. */
  exportSnapshot(id: string, name: string): Response {
    this.requireZvol('snapshot export');
    const { db, layout, exec, log } = this.deps;
    if (!getVm(db, id)) throw new ApiError('not_found', `no VM ${id}`);
    this.snapshotRow(db, id, name);
    const { stdout, done } = sendStream(exec, layout.snapshotOf(layout.vmDisk(id), name));
    done.catch((error) => {
      log.warn({ vm_id: id, snapshot: name, error }, 'snapshot export failed');
      stdout.destroy(error as Error);
    });
    return new Response(Readable.toWeb(stdout) as ReadableStream, {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${id}@${name}.zfs"`,
      },
    });
  }

  private snapshotRow(db: Db, id: string, name: string) {
    const row = getSnapshotRow(db, id, name);
    if (!row) throw new ApiError('not_found', `VM ${id} has no snapshot ${name}`);
    return row;
  }

  private requireZvol(what: string): void {
    if (this.deps.storage !== 'zvol') {
      throw new ApiError(
        'validation',
        `${what} need the zvol storage backend (this host stores disks as files)`,
      );
    }
  }

  private machineChange(tx: Db, vm: VmRow, before: VmMachine, after: VmMachine): Accepted {
    const ports = portsOf(tx, vm.id);
    const net: VmNet = { denyOutgoing: vm.denyOutgoing, ports };
    const params: MachineChangeParams = {
      before,
      after,
      netBefore: net,
      netAfter: net,
      restart: false,
    };
    return { params, changes: machineFields(after) };
  }

  /** Growing a VM must fit what the host has left; shrinking always fits. */
  private checkCapacity(tx: Db, total: Resources, before: VmMachine, after: VmMachine): void {
    const grow = {
      cpu: Math.max(0, after.cpu - before.cpu),
      mem: Math.max(0, after.mem - before.mem),
      disk: Math.max(0, diskTotal(after) - diskTotal(before)),
    };
    refuseShortfall(tx, total, grow);
  }

  private accept(
    id: string,
    kind: ChangeKind,
    decide: (tx: Db, vm: VmRow) => Accepted,
  ): VmOperationResp {
    const { db } = this.deps;
    const { vm, op } = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const vm = getVm(tx, id);
      if (!vm) throw new ApiError('not_found', `no VM ${id}`);
      const busy = pendingFor(tx, id)[0];
      if (busy) throw conflict(`operation ${busy.id} (${busy.kind}) is in progress on ${id}`, true);
      if (vm.state !== 'running' && vm.state !== 'stopped') {
        throw conflict(`VM ${id} is ${vm.state}; it can be changed when running or stopped`);
      }
      const { params, changes } = decide(tx, vm);
      const op = insertOperation(tx, id, kind, currentRequestId() ?? null, new Date(), params);
      return { vm: updateVm(tx, id, { ...changes, operationId: op.id })!, op };
    });
    this.deps.runner.schedule(op);
    return this.respond(vm, op);
  }

  private respond(vm: VmRow, op: OperationRow): VmOperationResp {
    return { vm: presentVms(this.deps.db, this.deps.layout, [vm])[0]!, operation: toOperation(op) };
  }
}

/** Disk a machine takes: the boot disk and its data disks, MiB. */
export function diskTotal(m: VmMachine): number {
  return m.disk + m.disks.reduce((sum, d) => sum + d.size, 0);
}

function latestCreate(db: Db, id: string): OperationRow {
  return latestOperation(db, id, 'create')!;
}
