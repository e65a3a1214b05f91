#!/usr/bin/env node
// Heartbeats per second for 1,000 simulated agents against the real controller (its own
// process, SQLite in WAL mode), and against a bare node:http server answering 204 in the same
// run, with the same load generator. Agents here are lightweight clients speaking the
// register/heartbeat protocol, not full agents.
//
//   pnpm --filter @apiary/controller build && node scripts/bench/heartbeats.mjs [--agents 1000] [--seconds 10] [--concurrency 64] [--cpu-prof DIR]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '64' },
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

/** Keeps CONCURRENCY requests in flight for SECONDS; returns completions per second and latencies. */
async function load(port, makeRequest) {
  const latencies = [];
  let done = 0;
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const worker = async () => {
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
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0;
  return { rate: done / seconds, errors, p50: pct(0.5), p99: pct(0.99) };
}

const dataDir = mkdtempSync(join(tmpdir(), 'apiary-bench-hb-'));
// Request lines of heartbeats are logged at debug, so `info` costs nothing per heartbeat.
const controller = await startProcess(
  [
    ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []),
    join(root, 'apps/controller/bin/apiary-controller.js'),
    '--listen',
    '127.0.0.1:0',
    '--data-dir',
    dataDir,
    '--restart-grace-ms',
    '600000',
  ],
  /"port":(\d+)[^\n]*"msg":"listening"/,
);
const { licenseKey } = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8'));

// Register the simulated agents (32 at a time).
const agents = [];
const inventory = (g) => ({
  generation: g,
  resources: {
    total: { cpu: 32, mem: 131072, disk: 2_000_000 },
    used: { cpu: 0, mem: 0, disk: 0 },
  },
  images: [],
  vms: [],
});
const registerStarted = performance.now();
for (let i = 0; i < AGENTS; i += 32) {
  await Promise.all(
    Array.from({ length: Math.min(32, AGENTS - i) }, async (_, k) => {
      const n = i + k;
      const hostId = `host_bench${String(n).padStart(8, '0')}`;
      const res = await post(
        controller.port,
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
      agents.push({
        hostId,
        credential: body.host_credential,
        interval: body.heartbeat_interval_ms,
      });
    }),
  );
}
const registerSeconds = (performance.now() - registerStarted) / 1000;

const heartbeat = () => {
  const a = agents[Math.floor(Math.random() * agents.length)];
  return {
    path: `/v1/internal/hosts/${a.hostId}/heartbeat`,
    body: { generation: 1 },
    token: a.credential,
    expect: 200,
  };
};
const ctl = await load(controller.port, heartbeat);
const metrics = await new Promise((resolve) =>
  http.get({ host: '127.0.0.1', port: controller.port, path: '/metrics' }, (res) => {
    let t = '';
    res.on('data', (c) => {
      t += c;
    });
    res.on('end', () => resolve(t));
  }),
);
const first = agents[0];
const lastInterval = JSON.parse(
  (
    await post(
      controller.port,
      `/v1/internal/hosts/${first.hostId}/heartbeat`,
      { generation: 1 },
      first.credential,
    )
  ).text,
).next_heartbeat_ms;
controller.child.kill('SIGTERM');

// The baseline: a bare node:http server in its own process that reads the body and answers 204.
const bare = await startProcess(
  [
    '-e',
    `require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.statusCode = 204; res.end(); }); })
       .listen(0, '127.0.0.1', function () { console.log(JSON.stringify({ port: this.address().port })); });`,
  ],
  /"port":(\d+)/,
);
const base = await load(bare.port, () => ({ ...heartbeat(), expect: 204 }));
bare.child.kill('SIGTERM');
keepAlive.destroy();
rmSync(dataDir, { recursive: true, force: true });

const fmt = (r) =>
  `${r.rate.toFixed(0).padStart(7)} /s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   errors ${r.errors}`;
process.stdout.write(
  `${AGENTS} simulated agents registered in ${registerSeconds.toFixed(1)} s; ${CONCURRENCY} requests in flight, ${SECONDS} s each\n` +
    `controller heartbeats   ${fmt(ctl)}\n` +
    `bare node:http 204      ${fmt(base)}\n` +
    `ratio controller / bare ${(ctl.rate / base.rate).toFixed(2)}\n` +
    `interval the controller hands out with ${AGENTS} hosts: ${lastInterval} ms -> about ${Math.round((AGENTS / lastInterval) * 1000)} heartbeats/s needed, ` +
    `${(ctl.rate / ((AGENTS / lastInterval) * 1000)).toFixed(0)}x headroom\n` +
    `heartbeats counted by the controller: ${(metrics.match(/apiary_heartbeats_total\{result="ok"\} (\d+)/) ?? [])[1] ?? '?'} ok, ` +
    `${(metrics.match(/apiary_heartbeats_total\{result="inventory"\} (\d+)/) ?? [])[1] ?? '0'} with inventory\n`,
);
