#!/usr/bin/env node
// List latencies and memory with a large fleet: 10,000 hosts, 30,000 environments and 100,000
// VMs written straight into the database (scripts/bench/lib/seed-fleet.mjs), then the real
// controller (its own process) on that database. Prints p50/p99 of `GET /v1/hosts?limit=100`,
// `GET /v1/envs?limit=100` and `GET /v1/status`, next to `GET /v1/health` measured in the same
// rounds (the baseline: the HTTP stack and auth-free routing, no data), and the controller's
// RSS after start and after a full liveness cycle: every host silent past the restart grace,
// so all of them go suspect and then down (the worst cycle there is), persisted and audited.
// Goals (issue 18): pages p99 < 20 ms, status p99 < 50 ms, RSS < 256 MB.
//
// Then "status under writes": GET /v1/status alone, idle and while another connection changes a
// VM's state every --write-every ms (50), printed side by side with the figure reads each took.
//
//   pnpm build && node scripts/bench/lists.mjs [--hosts 10000] [--envs 30000] [--vms 100000] [--requests 300] [--db sqlite|postgres] [--write-every 50] [--cpu-prof DIR]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importControllerEmbed } from './lib/controller-embed.mjs';
import { readBootstrap, startControllerProcess } from './lib/controller-process.mjs';
import { seedFleet } from './lib/seed-fleet.mjs';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10000' },
    envs: { type: 'string', default: '30000' },
    vms: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '300' },
    db: { type: 'string', default: 'sqlite' },
    /** Skip the liveness cycle (and its RSS figure). */
    'no-cycle': { type: 'boolean', default: false },
    /** Milliseconds between the VM state writes of the "status under writes" phase. */
    'write-every': { type: 'string', default: '50' },
    /** Write the controller's CPU profile (node --cpu-prof) into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const FLEET = { hosts: Number(values.hosts), envs: Number(values.envs), vms: Number(values.vms) };
const REQUESTS = Number(values.requests);
const root = new URL('../../', import.meta.url).pathname;

const embed = await importControllerEmbed();
const { createControllerCore, defaultConfig, openDatabase, parseDbTarget, bootstrapIfEmpty } =
  embed;

/** A PostgreSQL database for the run (a throwaway cluster), or null on SQLite. */
async function postgresDatabase() {
  if (values.db !== 'postgres') return null;
  const testkit = await import(join(root, 'packages/testkit/dist/index.js'));
  const cluster = await testkit.startPostgres();
  const name = `apiary_bench_lists_${randomBytes(4).toString('hex')}`;
  const pg = createRequire(join(root, 'apps/controller/package.json'))('pg');
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return { url: url.toString(), stop: () => cluster.stop() };
}

/** Migrates, bootstraps and seeds the database through the controller's own code, then closes it. */
async function prepare(dir, target) {
  const database = await openDatabase(parseDbTarget(target));
  const core = await createControllerCore({
    config: defaultConfig({ dataDir: dir }),
    database,
    log: embed.createLogger({ level: 'error' }),
  });
  const started = performance.now();
  try {
    await bootstrapIfEmpty(core.ctx, dir);
    await seedFleet(core, FLEET);
  } finally {
    await core.stop();
    await database.close();
  }
  return (performance.now() - started) / 1000;
}

/**
 * The controller on the seeded database. The list run (`cycle` false) keeps the controller's
 * own thresholds and a long grace: no host is judged silent meanwhile. The cycle run judges
 * silence at once, on the smallest thresholds the controller takes (they still scale with the
 * fleet). Only the cycle gets the small thresholds: with several controllers' liveness sharing
 * (PostgreSQL) every `heartbeatTtlMs / 3` reads the hosts, and at a 200 ms TTL that reading
 * would be most of what the list run measures.
 */
function startController(dir, target, { cycle }) {
  return startControllerProcess({
    dataDir: dir,
    db: target,
    cpuProfDir: values['cpu-prof'],
    flags: cycle
      ? ['--restart-grace-ms', '0', '--heartbeat-ttl-ms', '200', '--down-after-ms', '300']
      : ['--restart-grace-ms', '3600000'],
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(port, path, token) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    http
      .get(
        {
          host: '127.0.0.1',
          port,
          path,
          agent,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode, text, ms: performance.now() - started }),
          );
        },
      )
      .on('error', reject);
  });
}

const ROUTES = [
  { name: 'GET /v1/health (baseline)', path: '/v1/health', goal: null },
  { name: 'GET /v1/hosts?limit=100', path: '/v1/hosts?limit=100', goal: 20 },
  { name: 'GET /v1/envs?limit=100', path: '/v1/envs?limit=100', goal: 20 },
  { name: 'GET /v1/status', path: '/v1/status', goal: 50 },
];

/** Every route once per round, REQUESTS rounds (after 20 unrecorded), one request at a time. */
async function latencies(port, token) {
  const times = ROUTES.map(() => []);
  for (let round = -20; round < REQUESTS; round++) {
    for (const [i, r] of ROUTES.entries()) {
      const res = await get(port, r.path, token);
      if (res.status !== 200) throw new Error(`${r.path}: ${res.status} ${res.text.slice(0, 300)}`);
      if (round >= 0) times[i].push(res.ms);
    }
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    const pct = (p) => t[Math.min(t.length - 1, Math.floor(t.length * p))];
    return { p50: pct(0.5), p99: pct(0.99) };
  });
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+) kB`))?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Waits until the controller counts every host down (its /metrics gauge). */
async function waitAllDown(port, hosts, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { text } = await get(port, '/metrics');
    const down = Number(text.match(/apiary_hosts\{liveness="down"\} (\d+)/)?.[1] ?? 0);
    if (down >= hosts) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/*
 * The "status under writes" phase: a writer with its own connection to the database (another
 * controller, or a host's report, as far as this one can tell) changes one VM's state every
 * --write-every ms, running and stopped in turn, while GET /v1/status is measured alone.
 */
async function vmStateWriter(target) {
  const require = createRequire(join(root, 'apps/controller/package.json'));
  let write;
  let close;
  if (pgdb) {
    const client = new (require('pg').Client)({ connectionString: target });
    await client.connect();
    const { rows } = await client.query("SELECT id FROM vms WHERE state = 'running' LIMIT 1");
    const id = rows[0].id;
    write = (state) =>
      client.query('UPDATE vms SET state = $1, updated_at = $2 WHERE id = $3', [
        state,
        Date.now(),
        id,
      ]);
    close = () => client.end();
  } else {
    const sqlite = new (require('better-sqlite3'))(target.slice('sqlite:'.length));
    sqlite.pragma('busy_timeout = 5000');
    const id = sqlite.prepare("SELECT id FROM vms WHERE state = 'running' LIMIT 1").pluck().get();
    const st = sqlite.prepare('UPDATE vms SET state = ?, updated_at = ? WHERE id = ?');
    write = async (state) => st.run(state, Date.now(), id);
    close = async () => sqlite.close();
  }
  let writes = 0;
  let stopped = false;
  const every = Number(values['write-every']);
  const loop = (async () => {
    while (!stopped) {
      await write(writes % 2 === 0 ? 'stopped' : 'running');
      writes++;
      await new Promise((r) => setTimeout(r, every));
    }
    await write('running');
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await close();
      return writes;
    },
  };
}

/** p50/p99 of `GET /v1/status` alone, REQUESTS requests (after 20 unrecorded). */
async function statusLatency(port, token) {
  const t = [];
  for (let i = -20; i < REQUESTS; i++) {
    const res = await get(port, '/v1/status', token);
    if (res.status !== 200) throw new Error(`/v1/status: ${res.status} ${res.text.slice(0, 300)}`);
    if (i >= 0) t.push(res.ms);
  }
  t.sort((a, b) => a - b);
  const pct = (p) => t[Math.min(t.length - 1, Math.floor(t.length * p))];
  return { p50: pct(0.5), p99: pct(0.99) };
}

async function statusReads(port, token) {
  const { text } = await get(port, '/metrics', token);
  return Number(text.match(/^apiary_status_figure_reads_total (\d+)/m)?.[1] ?? Number.NaN);
}

/** Status idle, then under the writer; each with the figure reads it took. */
async function statusUnderWrites(port, token, target) {
  let reads = await statusReads(port, token);
  const idle = await statusLatency(port, token);
  const idleReads = (await statusReads(port, token)) - reads;
  const writer = await vmStateWriter(target);
  const started = performance.now();
  reads = await statusReads(port, token);
  const busy = await statusLatency(port, token);
  const busyReads = (await statusReads(port, token)) - reads;
  const seconds = (performance.now() - started) / 1000;
  const writes = await writer.stop();
  const line = (name, f, n) =>
    `  ${name.padEnd(28)} p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms  (goal p99 < 50 ms: ${f.p99 < 50 ? 'met' : 'MISSED'}; figure parts read ${n} times)`;
  return [
    `status under writes (a VM's state written every ${values['write-every']} ms by another connection: ${writes} writes in ${seconds.toFixed(1)} s):`,
    line('GET /v1/status, idle', idle, idleReads),
    line('GET /v1/status, VM writes', busy, busyReads),
  ];
}

const load = () =>
  `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;

const dir = mkdtempSync(join(tmpdir(), 'apiary-bench-lists-'));
const pgdb = await postgresDatabase();
const target = pgdb ? pgdb.url : `sqlite:${join(dir, 'controller.db')}`;
const lines = [];
let controller;
try {
  const seeded = await prepare(dir, target);
  const { adminApiKey } = readBootstrap(dir);
  const startedAt = performance.now();
  controller = await startController(dir, target, { cycle: false });
  const startSeconds = (performance.now() - startedAt) / 1000;
  const fresh = memory(controller.child.pid);
  const before = await latencies(controller.port, adminApiKey);
  // How many status requests read the aggregates from the database (the rest used kept ones).
  const metrics = await get(controller.port, '/metrics', adminApiKey);
  const reads = metrics.text.match(/^apiary_status_figure_reads_total (\d+)/m)?.[1] ?? '?';
  process.stdout.write(
    `status figures read from the database ${reads} times in ${REQUESTS + 20} requests\n`,
  );
  lines.push(
    `${values.db === 'postgres' ? 'PostgreSQL' : 'SQLite'}: ${FLEET.hosts} hosts, ${FLEET.envs} environments, ${FLEET.vms} VMs (seeded in ${seeded.toFixed(1)} s; controller up in ${startSeconds.toFixed(1)} s)`,
    `${REQUESTS} requests per route, one at a time, routes interleaved`,
  );
  const table = (title, figures) => {
    lines.push(title);
    for (const [i, r] of ROUTES.entries()) {
      const f = figures[i];
      const verdict =
        r.goal === null ? '' : `  (goal p99 < ${r.goal} ms: ${f.p99 < r.goal ? 'met' : 'MISSED'})`;
      lines.push(
        `  ${r.name.padEnd(28)} p50 ${f.p50.toFixed(2).padStart(7)} ms   p99 ${f.p99.toFixed(2).padStart(7)} ms${verdict}`,
      );
    }
  };
  table(`hosts ready (${load()}):`, before);
  lines.push(
    `  controller RSS ${fresh.rss.toFixed(0)} MB at start, ${memory(controller.child.pid).rss.toFixed(0)} MB after these requests`,
  );
  lines.push(...(await statusUnderWrites(controller.port, adminApiKey, target)), `  (${load()})`);
  if (!values['no-cycle']) {
    // A second start, on the same database, whose hosts are all silent from the first moment.
    await controller.stop();
    controller = await startController(dir, target, { cycle: true });
    const cycleStarted = performance.now();
    const done = await waitAllDown(controller.port, FLEET.hosts, 600_000);
    const cycleSeconds = (performance.now() - cycleStarted) / 1000;
    const after = memory(controller.child.pid);
    lines.push(
      `liveness cycle (restarted, every host silent: suspect, then down, persisted and audited): ${done ? 'complete' : 'NOT complete'} in ${cycleSeconds.toFixed(1)} s`,
      `  controller RSS ${after.rss.toFixed(0)} MB, peak ${after.peak.toFixed(0)} MB  (goal RSS < 256 MB: ${after.rss < 256 ? 'met' : 'MISSED'})`,
    );
    table(
      `hosts down, after the cycle (${load()}):`,
      await latencies(controller.port, adminApiKey),
    );
  }
} finally {
  await controller?.stop();
  agent.destroy();
  await pgdb?.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${lines.join('\n')}\n`);
