#!/usr/bin/env node
// Heartbeats per second for 1,000 simulated agents against the real controller (its own
// process): on SQLite (WAL), on PostgreSQL (a throwaway cluster), and as two controllers on that
// PostgreSQL with the load split between them; and against a bare node:http server answering
// 204 in the same run, with the same load generator. Agents here are lightweight clients
// speaking the register/heartbeat protocol, not full agents. A second baseline, the framework
// floor (scripts/bench/lib/hono-floor.mjs: hono on @hono/node-server answering the same JSON
// and doing nothing else), shows what the HTTP stack itself costs.
//
// The machine is shared and its speed drifts within seconds, so the targets are measured
// interleaved: each round gives every target (controller, bare, floor) one slice of
// `seconds / rounds`, and each ratio compares figures taken in the same rounds.
//
//   pnpm --filter @apiary/controller build && node scripts/bench/heartbeats.mjs [--agents 1000] [--seconds 10] [--rounds 5] [--concurrency 64] [--sqlite-only] [--cpu-prof DIR]
import http from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControllerProcess } from './lib/controller-process.mjs';
import { processSeconds } from './lib/machine-cpu.mjs';
import { startNodeProcess } from './lib/node-process.mjs';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    /** Skip the PostgreSQL runs (no Debian postgresql here). */
    'sqlite-only': { type: 'boolean', default: false },
    /** Write a CPU profile of the controller into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const root = new URL('../../', import.meta.url).pathname;

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(port, path, body, token) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: keepAlive,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = '';
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

/**
 * Keeps CONCURRENCY requests in flight for `seconds`, spread evenly over `ports` (several
 * controllers behind a load balancer); returns completions, time taken and latencies.
 */
async function loadSlice(ports, makeRequest, seconds, pids) {
  // With the generator on the same two cores, the server's CPU per request says whether the
  // server or the generator set the rate.
  const serverCpuBefore = pids.reduce((n, pid) => n + processSeconds(pid), 0);
  const ownCpuBefore = process.cpuUsage();
  const latencies = [];
  let done = 0;
  let errors = 0;
  // What the failures were: a status, or the error code of a request that got no answer.
  const errorStatuses = {};
  const deadline = performance.now() + seconds * 1000;
  const worker = async (k) => {
    const port = ports[k % ports.length];
    while (performance.now() < deadline) {
      const t = performance.now();
      const { path, body, token, expect } = makeRequest();
      const res = await post(port, path, body, token).catch((e) => ({ status: e.code }));
      if (res.status === expect) {
        done++;
        latencies.push(performance.now() - t);
      } else {
        errors++;
        errorStatuses[res.status] = (errorStatuses[res.status] ?? 0) + 1;
      }
    }
  };
  // Fresh connections for every slice: a server closes keep-alive sockets idle past its
  // timeout (5 s) while the other targets have their slices, and reusing one as it closes
  // fails the request with ECONNRESET, which says nothing about the server.
  keepAlive.destroy();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => worker(k)));
  const own = process.cpuUsage(ownCpuBefore);
  return {
    done,
    errors,
    errorStatuses,
    latencies,
    seconds: (performance.now() - started) / 1000,
    serverCpu: pids.reduce((n, pid) => n + processSeconds(pid), 0) - serverCpuBefore,
    generatorCpu: (own.user + own.system) / 1e6,
  };
}

/** Sums the slices of one target into a rate and latency percentiles. */
function summarize(slices) {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const done = slices.reduce((n, s) => n + s.done, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  const serverCpu = slices.reduce((n, s) => n + s.serverCpu, 0);
  const generatorCpu = slices.reduce((n, s) => n + s.generatorCpu, 0);
  return {
    rate: done / seconds,
    serverCpuPerRequest: serverCpu / done,
    serverBusy: serverCpu / seconds,
    generatorCpuPerRequest: generatorCpu / done,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    errorStatuses: slices.reduce((all, s) => {
      for (const [status, n] of Object.entries(s.errorStatuses))
        all[status] = (all[status] ?? 0) + n;
      return all;
    }, {}),
    p50: pct(0.5),
    p99: pct(0.99),
  };
}

/**
 * Measures `targets` ({ ports, makeRequest }) interleaved: ROUNDS rounds, each giving every
 * target one slice, so drift in the machine's speed touches all of them alike.
 */
async function interleaved(targets) {
  const slices = targets.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, t] of targets.entries()) {
      slices[i].push(await loadSlice(t.ports, t.makeRequest, SECONDS / ROUNDS, t.pids));
    }
  }
  return slices.map(summarize);
}

const inventory = (g) => ({
  generation: g,
  resources: {
    total: { cpu: 32, mem: 131072, disk: 2_000_000 },
    used: { cpu: 0, mem: 0, disk: 0 },
  },
  images: [],
  vms: [],
});

/** Starts one controller process; `like` is a first controller whose secret key it shares. */
function startController(db, like) {
  // Request lines of heartbeats are logged at debug, so `info` costs nothing per heartbeat.
  return startControllerProcess({
    db,
    secretKeyFrom: like?.dataDir,
    flags: ['--restart-grace-ms', '600000'],
    cpuProfDir: values['cpu-prof'],
  });
}

/** Registers the simulated agents with `port` (32 at a time); returns them and the time taken. */
async function registerAgents(port, licenseKey) {
  const agents = [];
  const started = performance.now();
  for (let i = 0; i < AGENTS; i += 32) {
    await Promise.all(
      Array.from({ length: Math.min(32, AGENTS - i) }, async (_, k) => {
        const n = i + k;
        const hostId = `host_bench${String(n).padStart(8, '0')}`;
        const res = await post(
          port,
          '/v1/internal/hosts/register',
          {
            host_id: hostId,
            hostname: `hv${n}`,
            addr: `http://10.1.${n >> 8}.${n & 255}:9100`,
            agent_version: '0.1.0',
            api_version: '1.0',
            engines: ['bhyve'],
            storage: 'zvol',
            agent_api_key: `wh_${n.toString(16).padStart(32, '0')}`,
            inventory: inventory(1),
          },
          licenseKey,
        );
        if (res.status !== 200) throw new Error(`register ${hostId}: ${res.status} ${res.text}`);
        const body = JSON.parse(res.text);
        agents.push({ hostId, credential: body.host_credential });
      }),
    );
  }
  return { agents, seconds: (performance.now() - started) / 1000 };
}

const heartbeatOf = (agents) => () => {
  const a = agents[Math.floor(Math.random() * agents.length)];
  return {
    path: `/v1/internal/hosts/${a.hostId}/heartbeat`,
    body: { generation: 1 },
    token: a.credential,
    expect: 200,
  };
};

function scrape(port) {
  return new Promise((resolve) =>
    http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let t = '';
      res.on('data', (c) => {
        t += c;
      });
      res.on('end', () => resolve(t));
    }),
  );
}

/** Starts a baseline server process (bare node:http, or the framework floor). */
async function startBaseline(args) {
  const started = await startNodeProcess(args, /"port":(\d+)/);
  return { ...started, port: Number(started.match[1]) };
}

const bare = await startBaseline([
  '-e',
  `require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.statusCode = 204; res.end(); }); })
     .listen(0, '127.0.0.1', function () { console.log(JSON.stringify({ port: this.address().port })); });`,
]);
const floor = await startBaseline([join(root, 'scripts/bench/lib/hono-floor.mjs')]);
const fakeAgents = Array.from({ length: AGENTS }, (_, n) => ({
  hostId: `host_bench${String(n).padStart(8, '0')}`,
  credential: 'x'.repeat(40),
}));
const baselines = [
  {
    ports: [bare.port],
    pids: [bare.child.pid],
    makeRequest: () => ({ ...heartbeatOf(fakeAgents)(), expect: 204 }),
  },
  {
    ports: [floor.port],
    pids: [floor.child.pid],
    makeRequest: () => ({ ...heartbeatOf(fakeAgents)(), expect: 200 }),
  },
];

/**
 * `count` controllers on `db` (null: SQLite), agents registered with the first, heartbeats
 * spread over all of them, measured interleaved with the two baselines. Returns the load
 * figures, the baselines' of the same rounds, and what the first controller reports.
 */
async function measure(db, count) {
  const first = await startController(db);
  const controllers = [first];
  try {
    for (let i = 1; i < count; i++) controllers.push(await startController(db, first));
    const { licenseKey } = first.bootstrap();
    const { agents, seconds } = await registerAgents(first.port, licenseKey);
    const [result, bareResult, floorResult] = await interleaved([
      {
        ports: controllers.map((c) => c.port),
        pids: controllers.map((c) => c.child.pid),
        makeRequest: heartbeatOf(agents),
      },
      ...baselines,
    ]);
    const metrics = await scrape(first.port);
    const a = agents[0];
    const beat = await post(
      first.port,
      `/v1/internal/hosts/${a.hostId}/heartbeat`,
      { generation: 1 },
      a.credential,
    );
    return {
      ...result,
      bare: bareResult,
      floor: floorResult,
      registerSeconds: seconds,
      interval: JSON.parse(beat.text).next_heartbeat_ms,
      counted: (metrics.match(/apiary_heartbeats_total\{result="ok"\} (\d+)/) ?? [])[1] ?? '?',
    };
  } finally {
    for (const c of controllers) await c.stop();
  }
}

const runs = [];
try {
  runs.push({ name: 'SQLite, 1 controller', short: 'SQLite', ...(await measure(null, 1)) });
  if (!values['sqlite-only']) {
    const { startPostgres } = await import('@apiary/testkit');
    const pg = await startPostgres();
    try {
      runs.push({
        name: 'PostgreSQL, 1 controller',
        short: 'PostgreSQL',
        ...(await measure(pg.database('bench_one'), 1)),
      });
      runs.push({
        name: 'PostgreSQL, 2 controllers',
        short: 'PostgreSQL x2',
        ...(await measure(pg.database('bench_two'), 2)),
      });
    } finally {
      await pg.stop();
    }
  }
} finally {
  await bare.stop();
  await floor.stop();
  keepAlive.destroy();
}

const fmt = (r) =>
  `${r.rate.toFixed(0).padStart(7)} /s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   errors ${r.errors}${r.errors ? ` ${JSON.stringify(r.errorStatuses)}` : ''}\n` +
  `${''.padEnd(39)}server ${(r.serverCpuPerRequest * 1e6).toFixed(0)} µs CPU/request (busy ${(r.serverBusy * 100).toFixed(0)}%)   generator ${(r.generatorCpuPerRequest * 1e6).toFixed(0)} µs/request`;
const [sqlite] = runs;
const pgOne = runs.find((r) => r.short === 'PostgreSQL');
const pgTwo = runs.find((r) => r.short === 'PostgreSQL x2');
const lines = [
  `${AGENTS} simulated agents; ${CONCURRENCY} requests in flight; ${SECONDS} s per target in ${ROUNDS} interleaved rounds (registered in ${sqlite.registerSeconds.toFixed(1)} s on SQLite)`,
];
for (const r of runs) {
  lines.push(
    `${r.name.padEnd(27)} ${fmt(r)}`,
    `  bare node:http 204 (same rounds)    ${fmt(r.bare)}`,
    `  hono floor 200 JSON (same rounds)   ${fmt(r.floor)}`,
    `  ratio ${r.short} / bare ${(r.rate / r.bare.rate).toFixed(2)}   ${r.short} / floor ${(r.rate / r.floor.rate).toFixed(2)}   floor / bare ${(r.floor.rate / r.bare.rate).toFixed(2)}`,
  );
}
if (pgOne && pgTwo) {
  lines.push(`two controllers / one (PostgreSQL) ${(pgTwo.rate / pgOne.rate).toFixed(2)}`);
}
lines.push(
  `interval the controller hands out with ${AGENTS} hosts: ${sqlite.interval} ms -> about ${Math.round((AGENTS / sqlite.interval) * 1000)} heartbeats/s needed, ` +
    `${(sqlite.rate / ((AGENTS / sqlite.interval) * 1000)).toFixed(0)}x headroom (SQLite)`,
  `heartbeats counted by the (first) controller: ${runs.map((r) => `${r.short} ${r.counted}`).join(', ')}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
