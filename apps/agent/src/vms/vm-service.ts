import { createHash } from 'node:crypto';
import {
  type AgentVm,
  ApiError,
  type CreateVmReq,
  type FailureInfo,
  type OperationKind,
  type VmOperationResp,
} from '@apiary/protocol';
import { currentRequestId } from '@apiary/server-kit';
import { refuseShortfall } from '../capacity/host-capacity.js';
import type { Db } from '../db/open.js';
import { listDatasetTree } from '../host/zfs.js';
import { getZone, listZones, type ZoneListEntry } from '../host/zoneadm.js';
import { allocateNics, needsNicRows } from '../network/vm-nic-allocation.js';
import { adoptZone } from './adopt-zone.js';
import { allocatePorts, allocateSlot } from './allocations.js';
import { readHostVms } from './host-vms.js';
import {
  getOperation,
  insertOperation,
  latestOperation,
  type OperationRow,
  operationsOfRequest,
  pendingFor,
  toOperation,
} from './operation-store.js';
import { clonesOf } from './snapshot-store.js';
import type { VmHostDeps } from './vm-host-deps.js';
import {
  countVms,
  getVm,
  insertVm,
  listVmRows,
  setVmState,
  updateVm,
  type VmRow,
} from './vm-store.js';
import { presentVms, stateFromZone } from './vm-view.js';

const MiB = 1024 * 1024;

/** States the host's view may correct (no operation is changing them). */
const OBSERVABLE = ['running', 'stopped', 'stopping', 'starting'];

/** One `zoneadm list`, with when it was started (what it shows is at least that recent). */
export interface ZoneListing {
  zones: Map<string, ZoneListEntry>;
  startedAt: number;
}

/** The create request as stored for idempotency: same hash, same VM. */
export function specHash(req: CreateVmReq): string {
  const canonical = { ...req, ports: [...req.ports], ssh_keys: [...req.ssh_keys] };
  const sorted = Object.fromEntries(
    Object.entries(canonical).sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/**
 * VM verbs as the API sees them. Accepting is synchronous and transactional (validate, check
 * capacity, reserve, persist the operation), so concurrent requests can never overcommit the
 * host or allocate the same address or port; the work itself runs in the OperationRunner.
 */
export class VmService {
  /** Concurrent listings share one `zoneadm list`. */
  private zoneList: Promise<ZoneListing> | null = null;

  constructor(private readonly deps: VmHostDeps) {}

  async create(req: CreateVmReq): Promise<VmOperationResp> {
    const { db, images } = this.deps;
    const iso = req.boot_iso !== undefined;
    const ref = req.image;
    const field = iso ? 'boot_iso' : 'image';
    const resolved = images.resolve(ref);
    if (!resolved) throw imageError(`image ${ref} is not on this host`, field);
    if (!resolved.row && !images.canPull()) {
      throw imageError(
        `image ${ref} is not on this host and there is no controller to pull it from`,
        field,
      );
    }
    if (resolved.row && (resolved.row.format === 'iso') !== iso) {
      throw imageError(
        iso ? `image ${ref} is not an iso` : `image ${ref} is an iso: give it as boot_iso`,
        field,
      );
    }
    if ((req.networks?.[0] ?? 'nat') !== 'nat' && req.ports.length > 1) {
      throw new ApiError('validation', 'port forwards need nat as the first network', {
        details: [{ path: 'body.ports', message: 'only on a VM whose primary network is nat' }],
      });
    }
    if (iso && this.deps.storage === 'file') {
      throw imageError('installing from an ISO needs the zvol storage backend', field);
    }
    if (!iso && resolved.row && resolved.row.diskBytes > req.disk * MiB) {
      throw new ApiError(
        'validation',
        `disk must be at least ${Math.ceil(resolved.row.diskBytes / MiB)} MiB for this image`,
        {
          details: [{ path: 'body.disk', message: 'smaller than the image' }],
        },
      );
    }
    const total = await this.deps.resources.require();
    const hash = specHash(req);
    const accepted = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const existing = getVm(tx, req.id);
      if (existing) {
        if (existing.specHash !== hash) {
          throw new ApiError(
            'conflict',
            `VM ${req.id} already exists with a different specification`,
          );
        }
        const busy = pendingFor(tx, req.id);
        const retryable =
          existing.state === 'failed' && !existing.needsCleanup && busy.length === 0;
        if (!retryable) {
          const op = latestOperation(tx, req.id, 'create') ?? latestOperation(tx, req.id);
          return { vm: existing, op: op!, fresh: false };
        }
      }
      refuseShortfall(tx, total, req);
      const slot = allocateSlot(tx, this.deps.layout.subnet.maxSlot);
      const now = new Date().toISOString();
      const fields = {
        envId: req.env_id,
        image: ref,
        imageDigest: iso ? null : resolved.digest,
        cdrom: iso ? resolved.digest : null,
        bootIso: iso,
        cpu: req.cpu,
        mem: req.mem,
        disk: req.disk,
        ports: JSON.stringify(req.ports),
        denyOutgoing: req.deny_outgoing,
        sshKeys: JSON.stringify(req.ssh_keys),
        loginUser: req.user ?? null,
        cloneMode: req.clone,
        specHash: hash,
        state: 'creating',
        errorCode: null,
        errorMsg: null,
        slot,
        reserved: true,
        needsCleanup: false,
      };
      if (existing) updateVm(tx, req.id, fields);
      else insertVm(tx, { id: req.id, ...fields, createdAt: now, updatedAt: now });
      if (needsNicRows(req.networks))
        allocateNics(
          tx,
          this.deps.layout,
          { id: req.id, envId: req.env_id, slot },
          req.networks,
          req.env_nic,
        );
      // Port forwards go to the VM's nat address, and only when nat is its primary network.
      if ((req.networks?.[0] ?? 'nat') === 'nat')
        allocatePorts(tx, req.id, req.ports, this.deps.portRange);
      const op = insertOperation(tx, req.id, 'create', currentRequestId() ?? null);
      const vm = updateVm(tx, req.id, { operationId: op.id })!;
      return { vm, op, fresh: true };
    });
    if (accepted.fresh) this.deps.runner.schedule(accepted.op);
    return this.respond(accepted.vm, accepted.op);
  }

  /** stop, start, restart: refused while another operation runs on the VM. */
  action(id: string, kind: Exclude<OperationKind, 'create' | 'delete'>) {
    const { db } = this.deps;
    const { vm, op } = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const vm = getVm(tx, id);
      if (!vm) throw new ApiError('not_found', `no VM ${id}`);
      const busy = pendingFor(tx, id)[0];
      if (busy) {
        throw new ApiError(
          'conflict',
          `operation ${busy.id} (${busy.kind}) is in progress on ${id}`,
          { retryable: true },
        );
      }
      if (!['running', 'stopped'].includes(vm.state)) {
        throw new ApiError(
          'conflict',
          `VM ${id} is ${vm.state}; it can only be ${kind}ed when running or stopped`,
        );
      }
      const op = insertOperation(tx, id, kind, currentRequestId() ?? null);
      const state = kind === 'stop' ? 'stopping' : 'starting';
      return { vm: setVmState(tx, id, state, null, { operationId: op.id })!, op };
    });
    this.deps.runner.schedule(op);
    return this.respond(vm, op);
  }

  /**
   * Delete: queued behind a running operation; the same delete twice is one operation. A VM the
   * database has no record of but whose zone carries our id on the host (a lost or restored
   * database) is adopted first: "not in my database" never means "gone", and 404 is the answer
   * only when the host has no zone of ours for the id.
   */
  async delete(id: string) {
    if (!getVm(this.deps.db, id)) {
      const zone = await getZone(this.deps.exec, id);
      if (zone) await adoptZone(this.deps, zone);
    }
    const { db } = this.deps;
    const { vm, op, fresh } = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const vm = getVm(tx, id);
      if (!vm) throw new ApiError('not_found', `no VM ${id}`);
      if (vm.state === 'importing') {
        throw new ApiError('conflict', `VM ${id} is arriving from another host: abort its import`);
      }
      // zfs would refuse to destroy snapshots that clones depend on: say so before anything.
      const clones = clonesOf(tx, id).map((c) => c.id);
      if (clones.length > 0) {
        throw new ApiError(
          'conflict',
          `VMs are cloned from snapshots of ${id} (${clones.join(', ')}): delete them first`,
        );
      }
      const queued = pendingFor(tx, id);
      const already = queued.find((o) => o.kind === 'delete');
      if (already) return { vm, op: already, fresh: false };
      const op = insertOperation(tx, id, 'delete', currentRequestId() ?? null);
      const updated =
        queued.length === 0 ? setVmState(tx, id, 'deleting', null, { operationId: op.id })! : vm;
      return { vm: updated, op, fresh: true };
    });
    if (fresh) this.deps.runner.schedule(op);
    return this.respond(vm, op);
  }

  /** One `zoneadm list` for the whole page, whatever the number of VMs. */
  async list(limit: number, offset: number): Promise<{ items: AgentVm[]; total: number }> {
    const rows = listVmRows(this.deps.db, limit, offset);
    if (rows.length > 0) {
      const listing = await this.zoneListing();
      for (const [i, row] of rows.entries()) rows[i] = this.observe(row, listing);
    }
    return {
      items: presentVms(this.deps.db, this.deps.layout, rows),
      total: countVms(this.deps.db),
    };
  }

  async get(id: string): Promise<AgentVm> {
    const row = getVm(this.deps.db, id);
    if (!row) throw new ApiError('not_found', `no VM ${id}`);
    if (row.operationId) return presentVms(this.deps.db, this.deps.layout, [row])[0]!;
    const startedAt = Date.now();
    const zone = await getZone(this.deps.exec, id);
    const zones = new Map(zone ? [[zone.name, zone]] : []);
    const vm = presentVms(this.deps.db, this.deps.layout, [
      this.observe(row, { zones, startedAt }),
    ])[0]!;
    return vm.disks?.length ? this.withDiskUsage(vm) : vm;
  }

  /** Data disks' `used` (bytes), read from the host for one VM. */
  private async withDiskUsage(vm: AgentVm): Promise<AgentVm> {
    const { exec, layout } = this.deps;
    const rows = await listDatasetTree(exec, layout.vmDataset(vm.id)).catch(() => []);
    const used = (n: number) => rows.find((r) => r.name === layout.vmDataDisk(vm.id, n))?.used;
    return { ...vm, disks: vm.disks?.map((d) => ({ ...d, used: used(d.n) ?? null })) };
  }

  /** What the host holds per VM id, read from the host (see host-vms.ts). */
  hostVms() {
    return readHostVms(this.deps);
  }

  operationsOfRequest(requestId: string) {
    const items = operationsOfRequest(this.deps.db, requestId).map(toOperation);
    return { items, total: items.length, limit: items.length, offset: 0 };
  }

  operation(id: string) {
    const op = getOperation(this.deps.db, id);
    if (!op) throw new ApiError('not_found', `no operation ${id}`);
    return toOperation(op);
  }

  /**
   * Fold what the host shows into a VM with no operation running: a guest that powered itself
   * off is `stopped`, a zone that vanished makes the VM `failed` (never silently deleted).
   */
  private observe(row: VmRow, listing: ZoneListing): VmRow {
    if (row.operationId || !OBSERVABLE.includes(row.state)) return row;
    const zone = listing.zones.get(row.id) ?? null;
    const observed = stateFromZone(zone?.state ?? null);
    if (observed === row.state) return row;
    const error: FailureInfo | null = zone
      ? null
      : { code: 'zone_missing', msg: `zone ${row.id} is not on the host` };
    // Re-read inside the write: an operation accepted since the listing owns the state now, and
    // a state written once the listing had started is newer than what it saw (a listing shared
    // with a request that came earlier may show a zone before the boot that made it running).
    return this.deps.db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const fresh = getVm(tx, row.id);
      if (!fresh || fresh.operationId || fresh.state !== row.state) return fresh ?? row;
      if (Date.parse(fresh.updatedAt) >= listing.startedAt) return fresh;
      return setVmState(tx, row.id, observed, error) ?? row;
    });
  }

  /** Fold the host's view into every VM (one host command, or the listing given). */
  async observeAll(given?: ZoneListing): Promise<number> {
    const rows = listVmRows(this.deps.db);
    if (rows.length === 0) return 0;
    const listing = given ?? (await this.zoneListing());
    let changed = 0;
    for (const row of rows) if (this.observe(row, listing) !== row) changed++;
    return changed;
  }

  /** Every zone on the host, from one `zoneadm list` that concurrent callers share. */
  zoneListing(): Promise<ZoneListing> {
    if (!this.zoneList) {
      const startedAt = Date.now();
      this.zoneList = listZones(this.deps.exec)
        .then((zones) => ({ zones: new Map(zones.map((z) => [z.name, z])), startedAt }))
        .finally(() => {
          this.zoneList = null;
        });
    }
    return this.zoneList;
  }

  private respond(vm: VmRow, op: OperationRow): VmOperationResp {
    return { vm: presentVms(this.deps.db, this.deps.layout, [vm])[0]!, operation: toOperation(op) };
  }
}

function imageError(msg: string, field = 'image'): ApiError {
  return new ApiError('validation', msg, { details: [{ path: `body.${field}`, message: msg }] });
}
