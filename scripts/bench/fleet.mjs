#!/usr/bin/env node
// The fleet benchmark (issue 18 part 6): a real controller (its own process, as the other
// benches start it) and N lightweight agents (scripts/bench/lib/fake-agents.mjs, one child
// process: they register, heartbeat and answer create/delete and operation polls from memory,
// no simulator), then K environment creates through the HTTP API with C requests in flight,
// then the K deletes. Prints environments/s accepted and the p50/p99 accept latency for each,
// the time until every environment is active (and, after the deletes, deleted) since the first
// request, and the baseline of the same run: K `GET /v1/health` at the same concurrency, before
// the creates and after the deletes.
//
//   pnpm build && node scripts/bench/fleet.mjs [--agents 200] [--envs 2000] [--concurrency 32]
//       [--vms 1] [--op-ms 100] [--db sqlite|postgres] [--controllers 1|2] [--cpu-prof DIR]
//
// `--db postgres` starts a throwaway cluster (testkit's, as the tests use); `--controllers 2`
// (PostgreSQL only) starts a second controller sharing the first's database and secret key:
// creates, deletes, registrations and heartbeats are spread over both.
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControllerProcess } from './lib/controller-process.mjs';
import {
  describeMachineUse,
  machineTicks,
  machineUseSince,
  processSeconds,
} from './lib/machine-cpu.mjs';
import { startNodeProcess } from './lib/node-process.mjs';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '200' },
    envs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '32' },
    vms: { type: 'string', default: '1' },
    'op-ms': { type: 'string', default: '100' },
    db: { type: 'string', default: 'sqlite' },
    controllers: { type: 'string', default: '1' },
    /** Write a CPU profile of the (first) controller into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const AGENTS = Number(values.agents);
const ENVS = Number(values.envs);
const CONCURRENCY = Number(values.concurrency);
const VMS = Number(values.vms);
const CONTROLLERS = Number(values.controllers);
if (!['sqlite', 'postgres'].includes(values.db)) {
  process.stderr.write(`--db takes sqlite or postgres, not ${values.db}\n`);
  process.exit(2);
}
if (CONTROLLERS > 1 && values.db !== 'postgres') {
  process.stderr.write('several controllers share a PostgreSQL database: add --db postgres\n');
  process.exit(2);
}
const root = new URL('../../', import.meta.url).pathname;
const testkit = await import(join(root, 'packages/testkit/dist/index.js')).catch(() => {
  process.stderr.write('build first: pnpm build\n');
  process.exit(1);
});

/** A controller on `db` (null: SQLite); `like` is a first controller whose secret key it shares. */
function startController(db, like) {
  return startControllerProcess({
    db,
    secretKeyFrom: like?.dataDir,
    // Only the first controller is profiled: the second does the same work.
    cpuProfDir: like ? undefined : values['cpu-prof'],
  });
}

/**
 * CPU seconds (user + system) the controllers have used so far: on a shared, loaded machine
 * their CPU per request says more about the code than a rate does.
 */
function cpuSeconds(controllers) {
  return controllers.reduce((n, c) => n + processSeconds(c.child.pid), 0);
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 8 });

/**
 * One request on a keep-alive socket. A socket the server closed while idle (its keep-alive
 * timer and our next request crossing) fails with ECONNRESET before any answer: that request is
 * sent once more on a fresh socket, as Node's documentation advises (`reusedSocket`), and
 * `retried` says so (a create whose first copy did arrive then answers 409).
 */
async function request(port, method, path, options = {}) {
  try {
    return await requestOnce(port, method, path, options);
  } catch (error) {
    if (error.code !== 'ECONNRESET' || !error.reusedSocket) throw error;
    return { ...(await requestOnce(port, method, path, options)), retried: true };
  }
}

function requestOnce(port, method, path, { body, token, type } = {}) {
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: keepAlive,
        headers: {
          ...(data ? { 'content-type': type ?? 'application/json' } : {}),
          ...(data ? { 'content-length': Buffer.byteLength(data) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
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
    req.on('error', (error) => {
      error.reusedSocket = req.reusedSocket;
      reject(error);
    });
    req.end(data);
  });
}

/**
 * Sends `count` requests (`make(i)` gives each) with CONCURRENCY in flight, spread round-robin
 * over `ports`; returns the rate, the latencies' p50/p99 and the first few refusals.
 */
async function drive(ports, count, expect, make) {
  const latencies = [];
  const refused = [];
  let retried = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const { method, path, body, token } = make(i);
      const t = performance.now();
      const res = await request(ports[i % ports.length], method, path, { body, token }).catch(
        (e) => ({ status: 0, text: String(e) }),
      );
      if (res.retried) retried++;
      // A create or delete resent after a reset whose first copy had arrived: 409 / 404.
      const firstArrived = res.retried && (res.status === 409 || res.status === 404);
      if (res.status === expect || firstArrived) latencies.push(performance.now() - t);
      else if (refused.length < 5) refused.push(`${method} ${path}: ${res.status} ${res.text}`);
      else refused.push(null);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return {
    ok: latencies.length,
    rate: latencies.length / seconds,
    seconds,
    p50: pct(0.5) ?? 0,
    p99: pct(0.99) ?? 0,
    refused,
    retried,
    started,
  };
}

/** Polls `GET /v1/status` until `done(status)`; returns ms since `since`, or null on time-out. */
async function until(port, token, since, done, timeoutMs = 600_000) {
  for (;;) {
    const res = await request(port, 'GET', '/v1/status', { token });
    const status = JSON.parse(res.text);
    if (done(status)) return { ms: performance.now() - since, status };
    if (performance.now() - since > timeoutMs) return { ms: null, status };
    await new Promise((r) => setTimeout(r, 200));
  }
}

const cleanup = [];
let agentsProcess;
try {
  let db = null;
  if (values.db === 'postgres') {
    const pg = await testkit.startPostgres();
    cleanup.push(() => pg.stop());
    db = pg.database('bench_fleet');
  }
  const first = await startController(db);
  const controllers = [first];
  cleanup.push(async () => {
    for (const c of controllers) await c.stop();
  });
  for (let i = 1; i < CONTROLLERS; i++) controllers.push(await startController(db, first));
  const ports = controllers.map((c) => c.port);
  const { licenseKey, adminApiKey } = first.bootstrap();
  const token = adminApiKey;

  const image = await testkit.sampleImage('alpine-cloud');
  const upload = await request(first.port, 'POST', '/v1/images?name=box', {
    body: image.stream,
    token,
    type: 'application/octet-stream',
  });
  if (upload.status !== 201) throw new Error(`image upload: ${upload.status} ${upload.text}`);

  const t = performance.now();
  agentsProcess = await startNodeProcess(
    [
      join(root, 'scripts/bench/lib/fake-agents.mjs'),
      ...['--controllers', controllers.map((c) => c.url).join(',')],
      ...['--license', licenseKey, '--agents', String(AGENTS), '--op-ms', values['op-ms']],
    ],
    /"ready":(\d+)/,
    // Its stats line comes when it stops.
    { keepOutput: true },
  );
  const ready = await until(first.port, token, t, (s) => s.hosts.ready >= AGENTS);
  const registerSeconds = (performance.now() - t) / 1000;
  if (ready.ms === null) throw new Error(`hosts not ready: ${JSON.stringify(ready.status.hosts)}`);

  const health = () => ({ method: 'GET', path: '/v1/health' });
  let cpu = cpuSeconds(controllers);
  const healthBefore = await drive(ports, ENVS, 200, health);
  const cpuHealth = cpuSeconds(controllers) - cpu;

  const ssh = testkit.sshKey('bench@fleet');
  const envBody = (i) => ({
    id: `fleet-${i}`,
    ssh_keys: [ssh],
    vms: Array.from({ length: VMS }, () => ({ image: 'box', cpu: 1, mem: 256, disk: 1024 })),
  });
  cpu = cpuSeconds(controllers);
  let machine = machineTicks();
  const creates = await drive(ports, ENVS, 202, (i) => ({
    method: 'POST',
    path: '/v1/envs',
    body: envBody(i),
    token,
  }));
  const active = await until(
    first.port,
    token,
    creates.started,
    (s) => (s.envs.by_state.active ?? 0) + (s.envs.by_state.failed ?? 0) >= creates.ok,
  );

  const cpuCreates = cpuSeconds(controllers) - cpu;
  const machineCreates = machineUseSince(machine);
  cpu = cpuSeconds(controllers);
  machine = machineTicks();
  const deletes = await drive(ports, ENVS, 202, (i) => ({
    method: 'DELETE',
    path: `/v1/envs/fleet-${i}`,
    token,
  }));
  const gone = await until(
    first.port,
    token,
    deletes.started,
    (s) => (s.envs.by_state.deleting ?? 0) === 0 && (s.envs.by_state.creating ?? 0) === 0,
  );
  const cpuDeletes = cpuSeconds(controllers) - cpu;
  const machineDeletes = machineUseSince(machine);
  const failed = await request(first.port, 'GET', '/v1/envs?state=failed&limit=1000', { token });
  const failures = new Map();
  for (const env of JSON.parse(failed.text).items ?? []) {
    const why = `${env.error?.code}: ${env.error?.msg}`.slice(0, 200);
    failures.set(why, (failures.get(why) ?? 0) + 1);
  }
  const healthAfter = await drive(ports, ENVS, 200, health);

  await agentsProcess.stop();
  const statsLine = agentsProcess.output().match(/\{"stats":.*\}/);
  const agentStats = statsLine ? JSON.parse(statsLine[0]).stats : null;
  agentsProcess = null;

  const fmt = (r) =>
    `${r.rate.toFixed(0).padStart(6)} /s   p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   (${r.ok} ok, ${r.refused.length} refused, ${r.retried} resent after a reset)`;
  const lines = [
    `fleet: ${AGENTS} agents, ${ENVS} environments of ${VMS} VM(s), ${CONCURRENCY} in flight, ` +
      `${values.db}, ${CONTROLLERS} controller(s); agent operations take ${values['op-ms']} ms`,
    `  agents registered and ready in ${registerSeconds.toFixed(1)} s`,
    `  baseline GET /v1/health, before  ${fmt(healthBefore)}`,
    `  creates accepted (202)           ${fmt(creates)}`,
    `    all active ${active.ms === null ? 'NOT within the time-out' : `${(active.ms / 1000).toFixed(1)} s after the first create`}` +
      ` (${((creates.ok / (active.ms ?? Number.NaN)) * 1000).toFixed(0)} environments/s end to end; failed: ${active.status.envs.by_state.failed ?? 0})`,
    `  deletes accepted (202)           ${fmt(deletes)}`,
    `    all deleted ${gone.ms === null ? 'NOT within the time-out' : `${(gone.ms / 1000).toFixed(1)} s after the first delete`}` +
      ` (${((deletes.ok / (gone.ms ?? Number.NaN)) * 1000).toFixed(0)} environments/s end to end)`,
    `  baseline GET /v1/health, after   ${fmt(healthAfter)}`,
    `  controller CPU per request: health ${((cpuHealth / healthBefore.ok) * 1000).toFixed(2)} ms; ` +
      `environment create ${((cpuCreates / creates.ok) * 1000).toFixed(1)} ms, delete ${((cpuDeletes / deletes.ok) * 1000).toFixed(1)} ms ` +
      '(accept to active / deleted, heartbeats of the same seconds included)',
    `  creates: ${describeMachineUse(machineCreates, creates.ok)}`,
    `  deletes: ${describeMachineUse(machineDeletes, deletes.ok)}`,
    `  creates / health ${(creates.rate / healthBefore.rate).toFixed(2)}   deletes / health ${(deletes.rate / healthAfter.rate).toFixed(2)}`,
  ];
  for (const r of [...creates.refused, ...deletes.refused].filter(Boolean)) {
    lines.push(`  refused: ${r.slice(0, 300)}`);
  }
  for (const [why, n] of failures) lines.push(`  failed environments (${n}): ${why}`);
  if (agentStats) {
    lines.push(
      `  agents served ${JSON.stringify(agentStats.served)}; heartbeats ${agentStats.beats} (${agentStats.beatErrors} failed)` +
        `${Object.keys(agentStats.unknown).length ? `; routes they did not know: ${JSON.stringify(agentStats.unknown)}` : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  await agentsProcess?.stop();
  keepAlive.destroy();
  for (const c of cleanup.reverse()) await c();
}
