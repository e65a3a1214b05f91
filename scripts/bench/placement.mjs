#!/usr/bin/env node
// Placements per second with 10,000 hosts in the controller's database (a real SQLite file in
// WAL mode, the controller's own placement and reservation code), against a baseline measured
// in the same run: the same environment + VM rows written without placing anything.
//
//   pnpm --filter @apiary/controller build && node scripts/bench/placement.mjs [--hosts 10000] [--seconds 5] [--rounds 5] [--concurrency 16] [--db sqlite|postgres|postgres://...] [--host-writes-per-s 50]
//
// Placements and baseline writes run `--concurrency` at a time (as requests arrive at a busy
// controller), so placements that arrive together share a transaction (group commit); the
// baseline writes each environment in a transaction of its own, as an ungrouped write path
// would. The 1-VM placement is also measured one at a time (no group can form).
//
// With `--host-writes-per-s N`, the placements are measured again while the controller's own
// services write hosts as a live fleet does, N writes a second: usage summaries (`recordUsage`),
// liveness transitions (`persistTransitions`, a host to suspect and back) and credential
// rotations (`storeCredentials`), in that proportion 3:2:1. It prints both rates and how often
// the candidate index was read in full and how many hosts it read again by id meanwhile.
//
// Each strategy seeds a database of its own, made fresh for it in this run: a SQLite file in a
// temp dir, or on PostgreSQL a new database created on the server (`--db postgres` starts a
// throwaway cluster for the run; with a URL, the server it names) and dropped afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importControllerEmbed } from './lib/controller-embed.mjs';
import {
  describeMachineUse,
  machineTicks,
  machineUseSince,
  processTreeSeconds,
} from './lib/machine-cpu.mjs';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    // Each target's seconds are split into this many slices, interleaved with the others'.
    rounds: { type: 'string', default: '5' },
    // `sqlite` (a WAL file in a temp dir), `postgres` (a throwaway cluster started for the run)
    // or a postgres:// URL of a server whose user may create databases.
    db: { type: 'string', default: 'sqlite' },
    // Placements (and baseline writes) in flight at once.
    concurrency: { type: 'string', default: '16' },
    // Host writes a second while the "with host writes" placements run (0: not measured).
    'host-writes-per-s': { type: 'string', default: '0' },
  },
});
const HOST_WRITES = Number(values['host-writes-per-s']);
const CONCURRENCY = Number(values.concurrency);
const HOSTS = Number(values.hosts);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);

const embed = await importControllerEmbed();
const {
  createControllerCore,
  defaultConfig,
  openDatabase,
  parseDbTarget,
  placeAndReserve,
  insertEnvRows,
  bootstrapIfEmpty,
  createLogger,
  recordUsage,
  persistTransitions,
  storeCredentials,
} = embed;

const ENGINE = values.db === 'sqlite' ? 'sqlite' : 'postgres';
if (
  ENGINE === 'postgres' &&
  values.db !== 'postgres' &&
  parseDbTarget(values.db).engine !== 'postgres'
) {
  process.stderr.write(`--db takes sqlite, postgres or a postgres:// URL, not ${values.db}\n`);
  process.exit(2);
}

/**
 * Where the PostgreSQL databases are made: the server `--db` names, or a throwaway cluster
 * (testkit's, as the tests use) for `--db postgres`. Null on SQLite.
 */
async function postgresServer() {
  if (ENGINE !== 'postgres') return null;
  if (values.db !== 'postgres') return { url: values.db, pid: undefined, stop: async () => {} };
  const testkit = await import(
    new URL('../../packages/testkit/dist/index.js', import.meta.url).href
  ).catch(() => {
    process.stderr.write('build the testkit first: pnpm --filter @apiary/testkit build\n');
    process.exit(1);
  });
  const cluster = await testkit.startPostgres();
  return { url: cluster.url, pid: cluster.pid, stop: () => cluster.stop() };
}

// node-postgres, as the controller depends on it (the bench has no dependencies of its own).
const pg = createRequire(new URL('../../apps/controller/package.json', import.meta.url))('pg');

/** Runs one statement on the server's maintenance database (`--db`'s own). */
async function onServer(serverUrl, statement) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the server for one strategy of this run; `drop` removes it. */
async function freshPostgres(serverUrl, strategy) {
  // Unique per run and strategy, so neither a second strategy nor a second run sees old rows.
  const name = `apiary_bench_${strategy}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE: a connection the engine left behind must not keep the database.
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function setup(strategy, server) {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-bench-placement-'));
  const fresh = server ? await freshPostgres(server.url, strategy) : null;
  const database = await openDatabase(
    parseDbTarget(fresh ? fresh.url : `sqlite:${join(dir, 'controller.db')}`),
  );
  const config = defaultConfig({ dataDir: dir, placement: strategy, restartGraceMs: 3_600_000 });
  const core = await createControllerCore({
    config,
    database,
    log: createLogger({ level: 'error' }),
  });
  const teardown = async () => {
    await core.stop();
    await database.close();
    await fresh?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, database, core, teardown };
}

async function seed({ core }) {
  await bootstrapIfEmpty(core.ctx, core.ctx.config.dataDir);
  const schema = core.ctx.t;
  const meta = await core.ctx.db.select().from(schema.meta);
  const orgId = meta.find((m) => m.key === 'default_org_id').value;
  const now = Date.now();
  const digest = `sha256:${'ab'.repeat(32)}`;
  const rows = [];
  for (let i = 0; i < HOSTS; i++) {
    rows.push({
      id: `host_bench${String(i).padStart(8, '0')}`,
      hostname: `hv${i}`,
      addr: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100`,
      publicAddr: `10.0.0.${i & 255}`,
      orgId,
      source: 'registered',
      liveness: 'ready',
      policy: i % 50 === 0 ? 'maintenance' : 'eligible',
      engines: ['bhyve'],
      storage: 'zvol',
      agentVersion: '0.1.0',
      apiVersion: '1.0',
      totalCpu: 32 + (i % 4) * 16,
      totalMem: 131072 + (i % 8) * 16384,
      totalDisk: 4_000_000,
      registeredAt: now,
      updatedAt: now,
    });
  }
  await core.ctx.db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500)
      await tx.insert(schema.hosts).values(rows.slice(i, i + 500));
    // One host in ten already holds the image.
    const held = rows.filter((_, i) => i % 10 === 0).map((h) => ({ hostId: h.id, digest }));
    for (let i = 0; i < held.length; i += 500)
      await tx.insert(schema.hostImages).values(held.slice(i, i + 500));
  });
  core.ctx.liveness.load(await core.ctx.db.select().from(schema.hosts));
  // PostgreSQL plans from statistics autovacuum gathers later: give it them now, as a
  // long-running installation has them.
  if (core.ctx.engine === 'postgres') await core.ctx.db.execute('ANALYZE');
  return { orgId, digest };
}

// The environment's and its VMs' rows, written as a create writes them (the controller's own
// insertEnvRows), for the placements and for the baseline alike.
function persistFor(ctx, orgId, envId, vmsCount, now) {
  return (tx, hostIds) =>
    insertEnvRows(
      ctx,
      tx,
      {
        id: envId,
        name: envId,
        orgId,
        owner: null,
        createdBy: null,
        state: 'creating',
        sshKeys: [],
        lifetime: 3600,
        onFailure: 'rollback',
        createdAt: now,
        expiresAt: now + 3_600_000,
        updatedAt: now,
        vni: null,
        privateSubnet: null,
      },
      Array.from({ length: vmsCount }, (_, i) => ({
        id: `${envId}-${i}`,
        name: `${envId}-${i}`,
        envId,
        idx: i,
        orgId,
        hostId: hostIds[i] ?? null,
        image: 'img',
        imageDigest: null,
        bootIso: false,
        engine: 'bhyve',
        cpu: 2,
        mem: 2048,
        disk: 20_000,
        ports: [22],
        denyOutgoing: false,
        loginUser: null,
        recipe: null,
        recipeVersion: null,
        recipeState: null,
        state: 'pending',
        portMap: {},
        networks: null,
        privateIp: null,
        reserved: true,
        createdAt: now,
        updatedAt: now,
      })),
    );
}

/**
 * Runs `fn` back to back for `seconds` in `concurrency` loops at once (each call gets a number
 * of its own); returns how many ran and for how long.
 */
async function slice(fn, seconds, concurrency) {
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < deadline) await fn(n++);
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { n, seconds: (performance.now() - started) / 1000 };
}

/**
 * Measures every target in ROUNDS interleaved slices (target 1, 2, ... then again), so that
 * the load of a shared machine drifting during the run touches each target alike.
 */
async function measureInterleaved(targets) {
  const totals = targets.map(() => ({
    n: 0,
    seconds: 0,
    offset: 0,
    use: { busySeconds: 0, busyCores: 0 },
    ownSeconds: 0,
    serverSeconds: 0,
  }));
  // The throwaway cluster's server: its CPU per operation (unknown for a server --db names).
  const serverCpu = () => (server?.pid ? processTreeSeconds(server.pid) : 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, t] of targets.entries()) {
      const total = totals[i];
      // Work that runs beside this target only (the host writes of a live fleet).
      const beside = t.beside?.();
      const machineBefore = machineTicks();
      const ownBefore = process.cpuUsage();
      const serverBefore = serverCpu();
      const r = await slice(
        (n) => {
          beside?.tick();
          return t.fn(total.offset + n);
        },
        SECONDS / ROUNDS,
        t.concurrency ?? CONCURRENCY,
      );
      const use = machineUseSince(machineBefore);
      const own = process.cpuUsage(ownBefore);
      await beside?.stop();
      // Busy cores averaged over the slices by their length (they are of one length).
      total.use.busyCores += use.busyCores / ROUNDS;
      total.use.busySeconds += use.busySeconds;
      total.ownSeconds += (own.user + own.system) / 1e6;
      total.serverSeconds += serverCpu() - serverBefore;
      total.n += r.n;
      // Numbers already used (a call still running at the deadline took one as well).
      total.offset += r.n + (t.concurrency ?? CONCURRENCY);
      total.seconds += r.seconds;
    }
  }
  return targets.map((t, i) => {
    const { n, seconds, use, ownSeconds, serverSeconds } = totals[i];
    const rate = n / seconds;
    const perOp = (s) => `${((s / n) * 1e6).toFixed(0)} µs`;
    process.stdout.write(
      `${t.label.padEnd(52)} ${rate.toFixed(0).padStart(8)} /s  (${n} in ${seconds.toFixed(1)} s)\n` +
        `    ${describeMachineUse(use, n)}; of it this process ${perOp(ownSeconds)}` +
        `${server?.pid ? `, the PostgreSQL server ${perOp(serverSeconds)}` : ''}\n`,
    );
    return rate;
  });
}

/**
 * Writes hosts as a live fleet does, through the controller's own services, HOST_WRITES a
 * second, while a target runs; `counts` adds up what happened meanwhile. Returns `beside` for
 * a target: called as its slice starts, `tick` before each placement, `stop` as it ends.
 */
function hostWriter(ctx, counts) {
  const { candidates } = ctx;
  let k = 0;
  const hostOf = (i) => `host_bench${String((i * 7919) % HOSTS).padStart(8, '0')}`;
  const writeOne = async () => {
    const i = k++;
    const hostId = hostOf(i);
    switch (i % 6) {
      case 0:
      case 2:
      case 4:
        await recordUsage(ctx, hostId, {
          sampled_at: new Date().toISOString(),
          cpu_percent: (i * 13) % 100,
          mem_used_bytes: 1 << 30,
          mem_total_bytes: 1 << 34,
          net_rx_bytes_per_s: null,
          net_tx_bytes_per_s: null,
        });
        break;
      case 1:
        await persistTransitions(ctx, [{ hostId, from: 'ready', to: 'suspect' }]);
        break;
      case 3:
        // The host made suspect two writes ago comes back.
        await persistTransitions(ctx, [{ hostId: hostOf(i - 2), from: 'suspect', to: 'ready' }]);
        break;
      default:
        await storeCredentials(ctx, hostId, { credentialRotateAt: Date.now() });
    }
  };
  return () => {
    const loads = candidates.loads;
    const hostReads = candidates.hostReads ?? 0;
    const started = performance.now();
    let written = 0;
    // Writes are started on schedule, each on its own (a fleet's writes come from independent
    // requests), from the placement loops themselves: on SQLite every statement completes
    // without a turn of the event loop, so a timer would not fire until the slice ended.
    const pending = new Set();
    let due = started;
    const tick = () => {
      for (const now = performance.now(); due <= now; due += 1000 / HOST_WRITES) {
        const p = writeOne().then(() => {
          written++;
          pending.delete(p);
        });
        pending.add(p);
      }
    };
    const stop = async () => {
      await Promise.all(pending);
      counts.written += written;
      counts.seconds += (performance.now() - started) / 1000;
      counts.loads += candidates.loads - loads;
      counts.hostReads += (candidates.hostReads ?? 0) - hostReads;
    };
    return { tick, stop };
  };
}

const results = {};
const server = await postgresServer();
try {
  for (const strategy of ['spread', 'binpack']) {
    const env = await setup(strategy, server);
    try {
      await benchStrategy(env, strategy);
    } finally {
      await env.teardown();
    }
  }
} finally {
  await server?.stop();
}

async function benchStrategy(env, strategy) {
  const { orgId, digest } = await seed(env);
  const demand = (k) =>
    Array.from({ length: k }, () => ({ cpu: 2, mem: 2048, disk: 20_000, engine: 'bhyve', digest }));
  // The candidate index is read once per controller (and again only after a host changes): read
  // it before measuring, as a running controller has, and report any read again while measuring.
  const { candidates } = env.core.ctx;
  await candidates.current(env.core.ctx);
  const loadsBefore = candidates.loads;
  // The same rows as a k-VM placement writes, in one transaction, on hosts chosen by counting.
  const baseline = (k, tag) => ({
    label: `${strategy}: baseline, env + ${k} VM rows, no placement`,
    fn: (n) => {
      const now = Date.now();
      const hostIds = Array.from(
        { length: k },
        (_, i) => `host_bench${String((n * k + i) % HOSTS).padStart(8, '0')}`,
      );
      return env.core.ctx.db.transaction((tx) =>
        persistFor(env.core.ctx, orgId, `base-${tag}-${n}`, k, now)(tx, hostIds),
      );
    },
  });
  const place = (k, tag, concurrency = CONCURRENCY) => ({
    label: `${strategy}: place + reserve ${k}-VM environments${concurrency === 1 ? ', one at a time' : ''}`,
    concurrency,
    fn: (n) =>
      placeAndReserve(
        env.core.ctx,
        orgId,
        demand(k),
        persistFor(env.core.ctx, orgId, `${strategy}-${tag}-${n}`, k, Date.now()),
      ),
  });
  // Nothing fits 1,000 vCPUs: every placement ends in the full pass that says, per host, why.
  const refused = {
    label: `${strategy}: refusal (reasons for all ${HOSTS} hosts), one at a time`,
    concurrency: 1,
    fn: () =>
      placeAndReserve(env.core.ctx, orgId, [{ ...demand(1)[0], cpu: 1000 }], async () => {}).then(
        () => {
          throw new Error('a refusal was expected');
        },
        (error) => {
          if (error.code !== 'insufficient_capacity' || error.details.hosts.length !== HOSTS)
            throw error;
        },
      ),
  };
  const commits = env.core.ctx.placementCommits.stats;
  const groupsBefore = { ...commits };
  const writes = { written: 0, seconds: 0, loads: 0, hostReads: 0 };
  const beside = hostWriter(env.core.ctx, writes);
  const withWrites = (target, tag) => ({
    ...target,
    label: `${strategy}: place + reserve ${tag}-VM, ${HOST_WRITES} host writes/s`,
    beside,
  });
  const targets = [
    baseline(1, 'a'),
    place(1, 'a'),
    place(1, 's', 1),
    baseline(3, 'b'),
    place(3, 'b'),
    refused,
  ];
  if (HOST_WRITES > 0) targets.push(withWrites(place(1, 'w'), 1), withWrites(place(3, 'x'), 3));
  const loadsMeasured = { before: candidates.loads };
  const [base, one, oneSerial, base3, three, refusedRate, oneW, threeW] =
    await measureInterleaved(targets);
  results[strategy] = { base, one, oneSerial, base3, three, refused: refusedRate, oneW, threeW };
  if (HOST_WRITES > 0) {
    const quiet = candidates.loads - loadsMeasured.before - writes.loads;
    process.stdout.write(
      `${strategy}: with host writes: ${writes.written} written (${(writes.written / writes.seconds).toFixed(0)}/s: usage, liveness, credentials); ` +
        `candidate index read in full ${writes.loads} times, ${writes.hostReads} hosts re-read by id (without host writes: ${quiet} full reads)\n`,
    );
  }
  const groups = commits.groups - groupsBefore.groups;
  const members = commits.members - groupsBefore.members;
  process.stdout.write(
    `${strategy}: candidate index read ${candidates.loads - loadsBefore} more times while measuring; ` +
      `${members} placements in ${groups} transactions (${(members / groups).toFixed(1)} per group, largest ${commits.largest})\n`,
  );
}

const ratios = (r) =>
  `1-VM ${(r.one / r.base).toFixed(2)}, 3-VM ${(r.three / r.base3).toFixed(2)} of the bare-write rate (same rows); ` +
  `1-VM one at a time ${(r.oneSerial / r.base).toFixed(2)}`;
process.stdout.write(
  `\n${HOSTS} hosts (2% in maintenance, 10% holding the image), ${ENGINE === 'sqlite' ? 'SQLite WAL file' : 'PostgreSQL'}, one process, ${CONCURRENCY} in flight.\n` +
    `spread: ${ratios(results.spread)}\nbinpack: ${ratios(results.binpack)}\n`,
);
if (HOST_WRITES > 0) {
  const under = (r) =>
    `1-VM ${r.oneW.toFixed(0)}/s vs ${r.one.toFixed(0)}/s without (${(r.oneW / r.one).toFixed(2)}), ` +
    `3-VM ${r.threeW.toFixed(0)}/s vs ${r.three.toFixed(0)}/s (${(r.threeW / r.three).toFixed(2)})`;
  process.stdout.write(
    `with ${HOST_WRITES} host writes/s: spread ${under(results.spread)}; binpack ${under(results.binpack)}\n`,
  );
}
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
