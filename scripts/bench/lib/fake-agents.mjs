#!/usr/bin/env node
// N lightweight agents in one process, for scripts/bench/fleet.mjs: each listens on a port of
// its own, registers with a controller (license key), heartbeats at the interval the controller
// hands out, and answers what the controller asks of an agent while it creates and deletes
// environments (create/get/delete VM, operations, the host listing that confirms a delete),
// from memory, with no simulator and no host commands. Operations end after --op-ms.
//
//   node scripts/bench/lib/fake-agents.mjs --controllers URL[,URL] --license KEY [--agents 200] [--op-ms 100]
//
// Prints one JSON line `{"ready":N}` once every agent is registered, then, on SIGTERM, one line
// `{"stats":{...}}` (requests served per route, heartbeats sent, routes it did not know).
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    controllers: { type: 'string' },
    license: { type: 'string' },
    agents: { type: 'string', default: '200' },
    'op-ms': { type: 'string', default: '100' },
    prefix: { type: 'string', default: 'fleet' },
  },
});
const CONTROLLERS = (values.controllers ?? '').split(',').filter(Boolean);
const AGENTS = Number(values.agents);
const OP_MS = Number(values['op-ms']);
if (CONTROLLERS.length === 0 || !values.license) {
  process.stderr.write('fake-agents: --controllers and --license are required\n');
  process.exit(2);
}

const served = {};
const unknown = {};
let beats = 0;
let beatErrors = 0;
let opSeq = 0;
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

const TOTAL = { cpu: 64, mem: 262_144, disk: 4_000_000 };
const iso = () => new Date().toISOString();

function send(res, status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
const notFound = (res, what) =>
  send(res, 404, { msg: `${what} not found`, code: 'not_found', requestId: 'req_fake' });

function readJson(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      text += c;
    });
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** One agent: its VMs and operations in memory, answering on its own port. */
class FakeAgent {
  constructor(n) {
    this.n = n;
    this.hostId = `host_${values.prefix}${String(n).padStart(6, '0')}`;
    this.key = `wh_${n.toString(16).padStart(32, '0')}`;
    this.vms = new Map();
    this.ops = new Map();
    this.generation = 1;
    this.controller = CONTROLLERS[n % CONTROLLERS.length];
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) =>
        send(res, 500, { msg: String(e), code: 'internal', requestId: 'req_fake' }),
      );
    });
    this.server.keepAliveTimeout = 60_000;
  }

  listen() {
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        this.addr = `http://127.0.0.1:${this.server.address().port}`;
        resolve();
      }),
    );
  }

  used() {
    const u = { cpu: 0, mem: 0, disk: 0 };
    for (const vm of this.vms.values()) {
      u.cpu += vm.cpu;
      u.mem += vm.mem;
      u.disk += vm.disk;
    }
    return u;
  }

  inventory() {
    return {
      generation: this.generation,
      resources: { total: TOTAL, used: this.used() },
      images: [],
      vms: [],
    };
  }

  /** An operation that ends after OP_MS, moving the VM to `to` (deleted: forgotten). */
  startOp(vm, kind, to) {
    const now = iso();
    const op = {
      id: `op_${String(++opSeq).padStart(10, '0')}`,
      vm_id: vm.id,
      kind,
      state: 'running',
      step: kind,
      error: null,
      created_at: now,
      updated_at: now,
    };
    this.ops.set(op.id, op);
    vm.operation_id = op.id;
    setTimeout(() => {
      vm.operation_id = null;
      vm.state = to;
      vm.generation += 1;
      vm.updated_at = iso();
      if (to === 'deleted') this.vms.delete(vm.id);
      op.state = 'succeeded';
      op.step = null;
      op.updated_at = iso();
      // Operations are kept a while, as the agent keeps them, then dropped.
      setTimeout(() => this.ops.delete(op.id), 60_000).unref();
    }, OP_MS);
    return op;
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://x');
    const path = url.pathname;
    if (path !== '/api/health' && req.headers.authorization !== `Bearer ${this.key}`) {
      return send(res, 401, { msg: 'bad API key', code: 'unauthenticated', requestId: 'req_f' });
    }
    const route = `${req.method} ${path.replace(/^\/api\/(vms|operations)\/[^/]+$/, '/api/$1/:id')}`;
    served[route] = (served[route] ?? 0) + 1;
    if (req.method === 'POST' && path === '/api/vms') return this.create(await readJson(req), res);
    let m = path.match(/^\/api\/vms\/([^/]+)$/);
    if (m && req.method === 'GET') {
      const vm = this.vms.get(m[1]);
      return vm ? send(res, 200, vm) : notFound(res, `VM ${m[1]}`);
    }
    if (m && req.method === 'DELETE') {
      const vm = this.vms.get(m[1]);
      if (!vm) return notFound(res, `VM ${m[1]}`);
      vm.state = 'deleting';
      vm.generation += 1;
      return send(res, 202, { vm, operation: this.startOp(vm, 'delete', 'deleted') });
    }
    m = path.match(/^\/api\/operations\/([^/]+)$/);
    if (m && req.method === 'GET') {
      const op = this.ops.get(m[1]);
      return op ? send(res, 200, op) : notFound(res, `operation ${m[1]}`);
    }
    if (req.method === 'GET' && path === '/api/host/vms') return send(res, 200, this.hostVms());
    if (req.method === 'GET' && path === '/api/health') return send(res, 200, { status: 'ok' });
    unknown[route] = (unknown[route] ?? 0) + 1;
    req.resume();
    return notFound(res, `route ${route}`);
  }

  create(body, res) {
    const existing = this.vms.get(body.id);
    if (existing) {
      const op = this.ops.get(existing.operation_id) ?? {
        id: `op_done_${existing.id}`,
        vm_id: existing.id,
        kind: 'create',
        state: 'succeeded',
        step: null,
        error: null,
        created_at: existing.created_at,
        updated_at: existing.updated_at,
      };
      return send(res, 202, { vm: existing, operation: op });
    }
    const now = iso();
    const slot = this.vms.size + 10;
    const image = body.image ?? body.boot_iso;
    const vm = {
      id: body.id,
      env_id: body.env_id,
      state: 'creating',
      error: null,
      image,
      image_digest: image?.startsWith('sha256:') ? image : null,
      cpu: body.cpu,
      mem: body.mem,
      disk: body.disk,
      ports: body.ports,
      deny_outgoing: body.deny_outgoing ?? false,
      ip: `10.213.${slot >> 8}.${slot & 255}`,
      port_map: Object.fromEntries(
        (body.ports ?? []).map((p, i) => [String(p), 40000 + slot * 10 + i]),
      ),
      generation: 1,
      operation_id: null,
      created_at: now,
      updated_at: now,
    };
    this.vms.set(vm.id, vm);
    send(res, 202, { vm, operation: this.startOp(vm, 'create', 'running') });
  }

  /** What the host holds: every VM as a zone with its datasets (a deleted one: nothing). */
  hostVms() {
    return {
      checked_at: iso(),
      items: [...this.vms.values()].map((vm) => ({
        id: vm.id,
        zone_state: 'running',
        apiary: true,
        env_id: vm.env_id,
        created_at: vm.created_at,
        datasets: [`rpool/apiary/vms/${vm.id}`],
        links: [],
        agent_state: vm.state,
        busy: vm.operation_id !== null,
      })),
    };
  }

  async register() {
    const res = await post(
      this.controller,
      '/v1/internal/hosts/register',
      {
        host_id: this.hostId,
        hostname: `${values.prefix}${this.n}`,
        addr: this.addr,
        agent_version: '0.1.0',
        api_version: '1.0',
        engines: ['bhyve'],
        storage: 'zvol',
        agent_api_key: this.key,
        inventory: this.inventory(),
      },
      values.license,
    );
    if (res.status !== 200) throw new Error(`register ${this.hostId}: ${res.status} ${res.text}`);
    const body = JSON.parse(res.text);
    this.credential = body.host_credential;
    this.interval = body.next_heartbeat_ms ?? 5000;
  }

  /** Heartbeats as the agent sends them: the generation only (the inventory never changes). */
  beat() {
    this.timer = setTimeout(async () => {
      const res = await post(
        this.controller,
        `/v1/internal/hosts/${this.hostId}/heartbeat`,
        { generation: this.generation },
        this.credential,
      ).catch(() => ({ status: 0, text: '' }));
      if (res.status === 200) {
        beats++;
        this.interval = JSON.parse(res.text).next_heartbeat_ms ?? this.interval;
      } else beatErrors++;
      this.beat();
    }, this.interval);
  }
}

function post(base, path, body, token) {
  const data = JSON.stringify(body);
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: keepAlive,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const agents = Array.from({ length: AGENTS }, (_, n) => new FakeAgent(n));
for (const a of agents) await a.listen();
for (let i = 0; i < agents.length; i += 16) {
  await Promise.all(agents.slice(i, i + 16).map((a) => a.register()));
}
for (const a of agents) {
  // Spread the first beats over one interval, as agents started at different times would be.
  a.interval = Math.floor(Math.random() * a.interval);
  a.beat();
}
process.stdout.write(`${JSON.stringify({ ready: agents.length })}\n`);

process.on('SIGTERM', () => {
  for (const a of agents) {
    clearTimeout(a.timer);
    a.server.close();
    a.server.closeAllConnections();
  }
  keepAlive.destroy();
  const vms = agents.reduce((n, a) => n + a.vms.size, 0);
  process.stdout.write(
    `${JSON.stringify({ stats: { served, unknown, beats, beatErrors, vmsLeft: vms } })}\n`,
  );
  process.exit(0);
});
