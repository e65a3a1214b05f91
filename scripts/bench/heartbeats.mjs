#!/usr/bin/env node
// Heartbeats per second for 1,000 simulated agents against the real controller (its own
// process): on SQLite (WAL), on PostgreSQL (a throwaway cluster), and as two controllers on that
// PostgreSQL with the load split between them; and against a bare node:http server answering
// 204 in the same run, with the same load generator. Agents here are lightweight clients
// speaking the register/heartbeat protocol, not full agents.
//
//   pnpm --filter @apiary/controller build && node scripts/bench/heartbeats.mjs [--agents 1000] [--seconds 10] [--concurrency 64] [--sqlite-only] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
    /** Skip the PostgreSQL runs (no Debian postgresql here). */
    'sqlite-only': { type: 'boolean', default: false },
    /** Write a CPU profile of the controller into this directory. */
    'cpu-prof': { type: 'string' },
  },
});
const AGENTS = Number(values.agents);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const root = new URL('../../', import.meta.url).pathname;

function startProcess(args, readyPattern) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(readyPattern);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) =>
      reject(new Error(`process exited (${code}) before it was ready:\n${out}`)),
    );
  });
}

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
 * Keeps CONCURRENCY requests in flight for SECONDS, spread evenly over `ports` (several
 * controllers behind a load balancer); returns completions per second and latencies.
 */
async function load(ports, makeRequest) {
  const latencies = [];
  let done = 0;
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async (k) => {
    const port = ports[k % ports.length];
    while (performance.now() < deadline) {
      const t = performance.now();
      const { path, body, token, expect } = makeRequest();
      const res = await post(port, path, body, token).catch(() => ({ status: 0 }));
      if (res.status === expect) {
        done++;
        latencies.push(performance.now() - t);
      } else errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, k) => worker(k)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { rate: done / seconds, errors, p50: pct(0.5), p99: pct(0.99) };
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
async function startController(db, like) {
  const dataDir = mkdtempSync(join(tmpdir(), 'apiary-bench-hb-'));
  if (like) copyFileSync(join(like.dataDir, 'secret.key'), join(dataDir, 'secret.key'));
  // Request lines of heartbeats are logged at debug, so `info` costs nothing per heartbeat.
  const started = await startProcess(
    [
      ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
      join(root, 'apps/controller/bin/apiary-controller.js'),
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--restart-grace-ms',
      '600000',
      ...(db ? ['--db', db] : []),
    ],
    /"port":(\d+)[^\n]*"msg":"listening"/,
  );
  return { ...started, dataDir };
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

/**
 * `count` controllers on `db` (null: SQLite), agents registered with the first, heartbeats
 * spread over all of them. Returns the load figures and what the first controller reports.
 */
async function measure(db, count) {
  const first = await startController(db);
  const controllers = [first];
  try {
    for (let i = 1; i < count; i++) controllers.push(await startController(db, first));
    const { licenseKey } = JSON.parse(readFileSync(join(first.dataDir, 'bootstrap.json'), 'utf8'));
    const { agents, seconds } = await registerAgents(first.port, licenseKey);
    const result = await load(
      controllers.map((c) => c.port),
      heartbeatOf(agents),
    );
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
      registerSeconds: seconds,
      interval: JSON.parse(beat.text).next_heartbeat_ms,
      counted: (metrics.match(/apiary_heartbeats_total\{result="ok"\} (\d+)/) ?? [])[1] ?? '?',
    };
  } finally {
    for (const c of controllers) {
      c.child.kill('SIGTERM');
      await new Promise((r) => c.child.once('exit', r));
      rmSync(c.dataDir, { recursive: true, force: true });
    }
  }
}

const sqlite = await measure(null, 1);
let pgOne = null;
let pgTwo = null;
if (!values['sqlite-only']) {
  const { startPostgres } = await import('@apiary/testkit');
  const pg = await startPostgres();
  try {
    pgOne = await measure(pg.database('bench_one'), 1);
    pgTwo = await measure(pg.database('bench_two'), 2);
  } finally {
    await pg.stop();
  }
}

// The baseline: a bare node:http server in its own process that reads the body and answers 204.
const bare = await startProcess(
  [
    '-e',
    `require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.statusCode = 204; res.end(); }); })
       .listen(0, '127.0.0.1', function () { console.log(JSON.stringify({ port: this.address().port })); });`,
  ],
  /"port":(\d+)/,
);
const fakeAgents = Array.from({ length: AGENTS }, (_, n) => ({
  hostId: `host_bench${String(n).padStart(8, '0')}`,
  credential: 'x'.repeat(40),
}));
const base = await load([bare.port], () => ({ ...heartbeatOf(fakeAgents)(), expect: 204 }));
bare.child.kill('SIGTERM');
keepAlive.destroy();

const fmt = (r) =>
  `${r.rate.toFixed(0).padStart(7)} /s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   errors ${r.errors}`;
const lines = [
  `${AGENTS} simulated agents; ${CONCURRENCY} requests in flight, ${SECONDS} s each (registered in ${sqlite.registerSeconds.toFixed(1)} s on SQLite)`,
  `SQLite, 1 controller        ${fmt(sqlite)}`,
  ...(pgOne ? [`PostgreSQL, 1 controller    ${fmt(pgOne)}`] : []),
  ...(pgTwo ? [`PostgreSQL, 2 controllers   ${fmt(pgTwo)}`] : []),
  `bare node:http 204          ${fmt(base)}`,
  `ratio SQLite / bare         ${(sqlite.rate / base.rate).toFixed(2)}`,
  ...(pgOne && pgTwo
    ? [
        `ratio PostgreSQL / bare     ${(pgOne.rate / base.rate).toFixed(2)}`,
        `two controllers / one (PostgreSQL) ${(pgTwo.rate / pgOne.rate).toFixed(2)}`,
      ]
    : []),
  `interval the controller hands out with ${AGENTS} hosts: ${sqlite.interval} ms -> about ${Math.round((AGENTS / sqlite.interval) * 1000)} heartbeats/s needed, ` +
    `${(sqlite.rate / ((AGENTS / sqlite.interval) * 1000)).toFixed(0)}x headroom (SQLite)`,
  `heartbeats counted by the (first) controller: SQLite ${sqlite.counted}` +
    (pgOne ? `, PostgreSQL ${pgOne.counted}, two controllers ${pgTwo.counted}` : ''),
];
process.stdout.write(`${lines.join('\n')}\n`);
