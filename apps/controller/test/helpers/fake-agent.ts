import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type AgentVm,
  API_VERSION,
  agentRoutes,
  CreateVmReq,
  type FailureCode,
  type HostStats,
  type HostStatsSummary,
  type HostVm,
  type HostVmListing,
  type Inventory,
  type LinkUsage,
  type Operation,
  type OperationKind,
  type Resources,
  type UsageSummary,
  type VmStats,
} from '@apiary/protocol';
import { Hono } from 'hono';
import { FakeNetworks } from './fake-agent-networks.js';

/**
 * An in-process agent speaking the agent API from `agentRoutes`, with in-memory VMs and fault
 * injection. It is a fake of the agent, not of the controller's modules: the controller talks
 * to it through its real typed client over a fetch function.
 */
export interface FakeAgentOptions {
  hostId: string;
  hostname?: string;
  key?: string;
  total?: Resources;
  /** Time an operation takes before it ends. */
  opDelayMs?: number;
  apiVersion?: string;
  /** Claim token accepted once by `POST /api/api-keys/bootstrap`. */
  claimToken?: string;
}

type Fault = {
  kind: OperationKind;
  vmId?: string;
  code?: FailureCode;
  msg?: string;
  times?: number;
};

let opSeq = 0;

export class FakeAgent {
  readonly hostId: string;
  readonly hostname: string;
  readonly key: string;
  readonly total: Resources;
  readonly vms = new Map<string, AgentVm>();
  readonly operations = new Map<string, Operation>();
  /** The request id that started each operation, as the agent keeps it (`x-request-id`). */
  readonly operationRequests = new Map<string, string>();
  private readonly requestIds = new AsyncLocalStorage<string | undefined>();
  readonly images = new Set<string>();
  /** The format each pushed image was uploaded as (`format=` of `POST /api/images`). */
  readonly uploadedFormats = new Map<string, string>();
  readonly snapshots: Array<{ vmId: string; name: string; created_at: string }> = [];
  readonly calls: Array<{
    method: string;
    path: string;
    requestId: string | null;
    auth: string | null;
  }> = [];
  /** Most VM resources ever in use at once (the "never overcommitted" witness). */
  peakUsed: Resources = { cpu: 0, mem: 0, disk: 0 };
  generation = 1;
  opDelayMs: number;
  apiVersion: string;
  /**
   * VMs the agent lies about: its API answers 404 for them and its inventory leaves them out,
   * while the host (`GET /api/host/vms`, read from the host) still holds them.
   */
  readonly lieGone = new Set<string>();
  /** What the host holds beyond the agent's own VMs (zones made by hand, leftovers). */
  readonly hostOnly = new Map<string, HostVm>();
  /** When set, every request fails as if the connection was refused. */
  down = false;
  /** Every create request received, as parsed (what the controller sent). */
  readonly createRequests: CreateVmReq[] = [];
  /** When set, requests never answer (until the caller's timeout). */
  hang = false;
  /** The usage summary `GET /stats` and the stats answers carry (null: not sampled yet). */
  usage: UsageSummary | null = null;
  /** CPUs' worth each VM uses, as its stats report it. */
  readonly vmCpu = new Map<string, number>();
  /** False: an agent older than usage statistics (its stats routes answer 404). */
  hasStats = true;
  /** Query strings the stats routes received. */
  readonly statsQueries: Array<Record<string, string>> = [];
  /** `/api/networks` (issue 14). */
  readonly networks = new FakeNetworks();
  private faults: Fault[] = [];
  private claimToken: string | undefined;
  readonly app: Hono;

  constructor(o: FakeAgentOptions) {
    this.hostId = o.hostId;
    this.hostname = o.hostname ?? o.hostId;
    this.key = o.key ?? `wh_${'0123456789abcdef'.repeat(2)}`;
    this.total = o.total ?? { cpu: 8, mem: 16384, disk: 400_000 };
    this.opDelayMs = o.opDelayMs ?? 5;
    this.apiVersion = o.apiVersion ?? API_VERSION;
    this.claimToken = o.claimToken;
    this.app = this.buildApp();
  }

  statsSummary(): HostStatsSummary {
    return {
      host_id: this.hostId,
      hostname: this.hostname,
      interval_s: 10,
      usage: this.usage,
      now: null,
    };
  }

  /** Host stats whose links include each live VM's VNIC, named by the VM's id as agents do. */
  hostStats(): HostStats {
    const sampledAt = this.usage?.sampled_at ?? new Date().toISOString();
    const links: LinkUsage[] = this.liveVms().map((vm, i) => ({
      link: `apiary${i}`,
      zone: vm.id,
      vm_id: vm.id,
      rx_bytes_per_s: 1000,
      tx_bytes_per_s: 2000,
      rx_packets_per_s: 10,
      tx_packets_per_s: 20,
      rx_errors_per_s: 0,
      tx_errors_per_s: 0,
    }));
    const busy = (this.usage?.cpu_percent ?? 0) / 100;
    return {
      ...this.statsSummary(),
      now: {
        sampled_at: sampledAt,
        interval_s: 10,
        cpu: { count: this.total.cpu, busy, user: busy, kernel: 0, per_cpu: [] },
        load: null,
        memory: {
          total_bytes: this.total.mem * 1024 * 1024,
          free_bytes: 0,
          used_bytes: this.total.mem * 1024 * 1024,
          arc_bytes: null,
          vm_bytes: null,
        },
        swap: null,
        links,
        pools: [],
      },
      history: { step_s: 10, t: [0, 10], host: { cpu_busy: [busy, busy] }, links: {}, pools: {} },
    };
  }

  vmStats(vm: AgentVm): VmStats {
    const used = this.vmCpu.get(vm.id) ?? 0;
    const link: LinkUsage = {
      link: 'apiary0',
      zone: vm.id,
      vm_id: vm.id,
      rx_bytes_per_s: 1000,
      tx_bytes_per_s: 2000,
      rx_packets_per_s: 10,
      tx_packets_per_s: 20,
      rx_errors_per_s: 0,
      tx_errors_per_s: 0,
    };
    return {
      vm_id: vm.id as VmStats['vm_id'],
      interval_s: 10,
      now: {
        vm_id: vm.id as VmStats['vm_id'],
        sampled_at: new Date().toISOString(),
        interval_s: 10,
        running: vm.state === 'running',
        cpu: { vcpus: vm.cpu, used, busy: used / Math.max(1, vm.cpu) },
        memory: { configured_bytes: vm.mem * 1024 * 1024 },
        net: {
          rx_bytes_per_s: 1000,
          tx_bytes_per_s: 2000,
          rx_packets_per_s: 10,
          tx_packets_per_s: 20,
          links: [link],
        },
        disk: { pool: 'rpool' },
      },
      history: { step_s: 10, t: [0, 10], vm: { cpu_used: [used, used] } },
    };
  }

  failNext(fault: Fault) {
    this.faults.push({ times: 1, ...fault });
  }

  clearFaults() {
    this.faults = [];
  }

  used(): Resources {
    const u = { cpu: 0, mem: 0, disk: 0 };
    for (const vm of this.vms.values()) {
      if (vm.state === 'deleted') continue;
      u.cpu += vm.cpu;
      u.mem += vm.mem;
      u.disk += vm.disk;
    }
    return u;
  }

  liveVms(): AgentVm[] {
    return [...this.vms.values()].filter((v) => v.state !== 'deleted');
  }

  /** The VMs the agent admits to (its lies left out). */
  private admitted(): AgentVm[] {
    return this.liveVms().filter((v) => !this.lieGone.has(v.id));
  }

  /** What the host holds per id: every live VM as a running zone, and `hostOnly`. */
  hostVms(): HostVmListing {
    const items: HostVm[] = this.liveVms().map((vm) => ({
      id: vm.id,
      zone_state: vm.state === 'stopped' ? 'installed' : 'running',
      apiary: true,
      env_id: vm.env_id,
      created_at: vm.created_at,
      datasets: [`rpool/apiary/vms/${vm.id}`, `rpool/apiary/vms/${vm.id}/disk0`],
      links: [],
      agent_state: this.lieGone.has(vm.id) ? null : vm.state,
      busy: vm.operation_id !== null,
    }));
    items.push(...this.hostOnly.values());
    return { checked_at: new Date().toISOString(), items };
  }

  inventory(): Inventory {
    return {
      generation: this.generation,
      resources: { total: this.total, used: this.used() },
      images: [...this.images] as Inventory['images'],
      networks: [...this.networks.items.values()].map((n) => ({ name: n.name, kind: n.kind })),
      vms: this.admitted().map((v) => ({
        id: v.id,
        env_id: v.env_id,
        state: v.state,
        error: v.error,
        ip: v.ip,
        port_map: v.port_map,
        generation: v.generation,
      })),
    };
  }

  private bump(vm: AgentVm, state: AgentVm['state'], error: AgentVm['error'] = null) {
    vm.state = state;
    vm.error = error;
    vm.generation += 1;
    vm.updated_at = new Date().toISOString();
    this.generation += 1;
  }

  private takeFault(kind: OperationKind, vmId: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.kind === kind && (!f.vmId || f.vmId === vmId));
    if (i < 0) return undefined;
    const f = this.faults[i] as Fault;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  private startOp(vm: AgentVm, kind: OperationKind, finish: () => AgentVm['state']): Operation {
    const now = new Date().toISOString();
    const op: Operation = {
      id: `op_${String(++opSeq).padStart(10, '0')}`,
      vm_id: vm.id,
      kind,
      state: 'running',
      step: kind,
      error: null,
      created_at: now,
      updated_at: now,
    };
    this.operations.set(op.id, op);
    const requestId = this.requestIds.getStore();
    if (requestId) this.operationRequests.set(op.id, requestId);
    vm.operation_id = op.id;
    const fault = this.takeFault(kind, vm.id);
    setTimeout(() => {
      vm.operation_id = null;
      if (fault) {
        op.state = 'failed';
        op.error = {
          code: fault.code ?? 'host_command_failed',
          msg: fault.msg ?? `${kind} failed (injected)`,
        };
        // A failed create is undone by the agent: nothing stays on the host.
        this.bump(
          vm,
          kind === 'create' ? 'failed' : vm.state === 'deleting' ? 'running' : vm.state,
          op.error,
        );
      } else {
        this.bump(vm, finish());
        op.state = 'succeeded';
      }
      op.updated_at = new Date().toISOString();
    }, this.opDelayMs);
    return op;
  }

  private buildApp(): Hono {
    const app = new Hono();
    app.use('*', async (c, next) => {
      this.calls.push({
        method: c.req.method,
        path: c.req.path,
        requestId: c.req.header('x-request-id') ?? null,
        auth: c.req.header('authorization') ?? null,
      });
      if (c.req.path === '/api/health' || c.req.path === '/api/api-keys/bootstrap') return next();
      if (c.req.header('authorization') !== `Bearer ${this.key}`) {
        return c.json(
          { msg: 'missing or bad API key', code: 'unauthenticated', requestId: 'req_fake' },
          401,
        );
      }
      await this.requestIds.run(c.req.header('x-request-id'), next);
    });
    const err = (c: import('hono').Context, status: number, code: string, msg: string) =>
      c.json({ msg, code, requestId: 'req_fake' }, status as 404);

    app.post(agentRoutes.bootstrapApiKey.path, async (c) => {
      const body = (await c.req.json()) as { claim_token?: string };
      if (!this.claimToken || body.claim_token !== this.claimToken) {
        return err(c, 401, 'unauthenticated', 'bad or used claim token');
      }
      this.claimToken = undefined;
      const now = new Date().toISOString();
      return c.json(
        {
          id: 'key_boot',
          name: 'bootstrap',
          role: 'admin',
          prefix: this.key.slice(0, 8),
          created_at: now,
          last_used_at: null,
          key: this.key,
        },
        201,
      );
    });
    app.get(agentRoutes.info.path, (c) =>
      c.json({
        host_id: this.hostId,
        hostname: this.hostname,
        agent_version: '0.1.0',
        api_version: this.apiVersion,
        engines: ['bhyve'],
        storage: 'zvol',
        resources: { total: this.total, used: this.used() },
        images: [...this.images].map((digest) => ({
          digest,
          name: null,
          format: 'zfs-send',
          size: 1,
          location: `rpool/apiary/images/${digest.slice(7)}`,
          imported_at: new Date().toISOString(),
          vm_count: 0,
        })),
        vm_count: this.liveVms().length,
        controller: null,
      }),
    );
    app.get(agentRoutes.statsSummary.path, (c) => c.json(this.statsSummary()));
    app.use('*', async (c, next) => {
      const statsPath = /^\/(api\/(vms\/[^/]+\/)?)?stats$/.test(c.req.path);
      if (statsPath && !this.hasStats) return err(c, 404, 'not_found', 'no such route');
      await next();
    });
    app.get(agentRoutes.hostStats.path, (c) => {
      this.statsQueries.push(c.req.query());
      return c.json(this.hostStats());
    });
    app.get(agentRoutes.vmStats.path, (c) => {
      const vm = this.vms.get(c.req.param('id'));
      if (!vm || vm.state === 'deleted' || this.lieGone.has(vm.id)) {
        return err(c, 404, 'not_found', `VM ${c.req.param('id')} not found`);
      }
      this.statsQueries.push(c.req.query());
      return c.json(this.vmStats(vm));
    });
    app.get(agentRoutes.listVms.path, (c) => {
      const limit = Number(c.req.query('limit') ?? 50);
      const offset = Number(c.req.query('offset') ?? 0);
      const all = this.liveVms();
      return c.json({ items: all.slice(offset, offset + limit), total: all.length, limit, offset });
    });
    app.post(agentRoutes.createVm.path, async (c) => {
      const parsed = CreateVmReq.safeParse(await c.req.json());
      if (!parsed.success) return err(c, 400, 'validation', parsed.error.message);
      const req = parsed.data;
      this.createRequests.push(req);
      const existing = this.vms.get(req.id);
      if (existing && existing.state !== 'deleted') {
        const op = existing.operation_id ? this.operations.get(existing.operation_id) : undefined;
        return c.json({ vm: existing, operation: op ?? this.doneOp(existing, 'create') }, 202);
      }
      const u = this.used();
      if (
        u.cpu + req.cpu > this.total.cpu ||
        u.mem + req.mem > this.total.mem ||
        u.disk + req.disk > this.total.disk
      ) {
        return err(c, 409, 'insufficient_capacity', `host ${this.hostId} is full`);
      }
      const now = new Date().toISOString();
      const vm: AgentVm = {
        id: req.id,
        env_id: req.env_id,
        state: 'creating',
        error: null,
        image: req.image,
        image_digest: req.image.startsWith('sha256:')
          ? (req.image as AgentVm['image_digest'])
          : null,
        cpu: req.cpu,
        mem: req.mem,
        disk: req.disk,
        ports: req.ports,
        deny_outgoing: req.deny_outgoing,
        // An ISO install boots its CD-ROM, as the real agent reports it.
        ...(req.boot_iso ? { cdrom: req.boot_iso as AgentVm['cdrom'] } : {}),
        ip: `10.213.0.${this.vms.size + 10}`,
        port_map: Object.fromEntries(
          req.ports.map((p, i) => [String(p), 40000 + this.vms.size * 10 + i]),
        ),
        generation: 1,
        operation_id: null,
        created_at: now,
        updated_at: now,
      };
      this.vms.set(vm.id, vm);
      this.generation += 1;
      const after = this.used();
      for (const r of ['cpu', 'mem', 'disk'] as const)
        this.peakUsed[r] = Math.max(this.peakUsed[r], after[r]);
      if (vm.image_digest) this.images.add(vm.image_digest);
      const op = this.startOp(vm, 'create', () => 'running');
      return c.json({ vm, operation: op }, 202);
    });
    app.get(agentRoutes.listHostVms.path, (c) => c.json(this.hostVms()));
    app.get(agentRoutes.getVm.path, (c) => {
      const vm = this.vms.get(c.req.param('id'));
      if (vm && this.lieGone.has(vm.id)) return err(c, 404, 'not_found', 'no such VM');
      return vm ? c.json(vm) : err(c, 404, 'not_found', 'no such VM');
    });
    const power = (
      kind: 'stop' | 'start' | 'restart',
      to: AgentVm['state'],
      via: AgentVm['state'],
    ) =>
      app.post(`/api/vms/:id/${kind}`, (c) => {
        const vm = this.vms.get(c.req.param('id'));
        if (!vm || vm.state === 'deleted') return err(c, 404, 'not_found', 'no such VM');
        this.bump(vm, via);
        return c.json({ vm, operation: this.startOp(vm, kind, () => to) }, 202);
      });
    power('stop', 'stopped', 'stopping');
    power('start', 'running', 'starting');
    power('restart', 'running', 'starting');
    app.delete(agentRoutes.deleteVm.path, (c) => {
      const id = c.req.param('id');
      const vm = this.vms.get(id);
      const stray = this.hostOnly.get(id);
      if (stray && (!vm || vm.state === 'deleted') && stray.apiary) {
        // The agent adopts a zone of ours it had no record of, then deletes it.
        this.hostOnly.delete(id);
        const now = new Date().toISOString();
        const adopted: AgentVm = {
          id,
          env_id: stray.env_id ?? 'unknown',
          state: 'deleting',
          error: null,
          image: '',
          image_digest: null,
          cpu: 0,
          mem: 0,
          disk: 0,
          ports: [],
          deny_outgoing: false,
          ip: null,
          port_map: {},
          generation: 1,
          operation_id: null,
          created_at: stray.created_at ?? now,
          updated_at: now,
        };
        this.vms.set(id, adopted);
        return c.json(
          { vm: adopted, operation: this.startOp(adopted, 'delete', () => 'deleted') },
          202,
        );
      }
      if (!vm || vm.state === 'deleted' || this.lieGone.has(id))
        return err(c, 404, 'not_found', 'no such VM');
      this.bump(vm, 'deleting');
      return c.json({ vm, operation: this.startOp(vm, 'delete', () => 'deleted') }, 202);
    });
    // Issue 13, as much as controller tests need: a snapshot is an operation that changes
    // nothing but the list of snapshots; a clone is a create of a copy of the VM.
    app.post(agentRoutes.createSnapshot.path, async (c) => {
      const vm = this.vms.get(c.req.param('id'));
      if (!vm || vm.state === 'deleted') return err(c, 404, 'not_found', 'no such VM');
      if (vm.operation_id) return err(c, 409, 'conflict', `operation ${vm.operation_id} runs`);
      const { name } = (await c.req.json()) as { name: string };
      this.snapshots.push({ vmId: vm.id, name, created_at: new Date().toISOString() });
      return c.json({ vm, operation: this.startOp(vm, 'snapshot', () => vm.state) }, 202);
    });
    app.get(agentRoutes.listSnapshots.path, (c) => {
      const vm = this.vms.get(c.req.param('id'));
      if (!vm || vm.state === 'deleted') return err(c, 404, 'not_found', 'no such VM');
      const items = this.snapshots
        .filter((s) => s.vmId === vm.id)
        .map((s) => ({
          name: s.name,
          vm_id: vm.id,
          created_at: s.created_at,
          machine: { cpu: vm.cpu, mem: vm.mem, disk: vm.disk, disks: [], cdrom: null },
          used: 0,
          clones: [],
        }));
      return c.json({ items, total: items.length, limit: 1000, offset: 0 });
    });
    app.post(agentRoutes.cloneSnapshot.path, async (c) => {
      const source = this.vms.get(c.req.param('id'));
      if (!source || source.state === 'deleted') return err(c, 404, 'not_found', 'no such VM');
      const body = (await c.req.json()) as { id: string; env_id?: string };
      const now = new Date().toISOString();
      const vm: AgentVm = {
        ...source,
        id: body.id,
        env_id: body.env_id ?? source.env_id,
        state: 'creating',
        generation: 1,
        operation_id: null,
        created_at: now,
        updated_at: now,
      };
      this.vms.set(vm.id, vm);
      return c.json({ vm, operation: this.startOp(vm, 'create', () => 'running') }, 202);
    });
    app.get(agentRoutes.listOperations.path, (c) => {
      const requestId = c.req.query('request_id');
      const items = [...this.operations.values()]
        .filter((op) => requestId && this.operationRequests.get(op.id) === requestId)
        .reverse();
      return c.json({ items, total: items.length, limit: items.length, offset: 0 });
    });
    app.get(agentRoutes.getOperation.path, (c) => {
      const op = this.operations.get(c.req.param('id'));
      return op ? c.json(op) : err(c, 404, 'not_found', 'no such operation');
    });
    app.post(agentRoutes.uploadImage.path, async (c) => {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const { createHash } = await import('node:crypto');
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      this.images.add(digest);
      this.uploadedFormats.set(digest, c.req.query('format') ?? 'zfs-send');
      this.generation += 1;
      return c.json(
        {
          digest,
          name: c.req.query('name') ?? null,
          format: c.req.query('format') ?? 'zfs-send',
          size: bytes.length,
          location: `rpool/apiary/images/${digest.slice(7)}`,
          imported_at: new Date().toISOString(),
          vm_count: 0,
        },
        201,
      );
    });
    this.networks.serve(app);
    return app;
  }

  private doneOp(vm: AgentVm, kind: OperationKind): Operation {
    const now = new Date().toISOString();
    return {
      id: `op_done_${vm.id}`,
      vm_id: vm.id,
      kind,
      state: 'succeeded',
      step: null,
      error: null,
      created_at: now,
      updated_at: now,
    };
  }
}
