#!/usr/bin/env node
// Placements per second with 10,000 hosts in the controller's database (a real SQLite file in
// WAL mode, the controller's own placement and reservation code), against a baseline measured
// in the same run: the same environment + VM rows written without placing anything.
//
//   pnpm --filter @apiary/controller build && node scripts/bench/placement.mjs [--hosts 10000] [--seconds 5] [--db postgres://...]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '5' },
    // `sqlite` (a WAL file in a temp dir) or a postgres:// URL of an empty database.
    db: { type: 'string', default: 'sqlite' },
  },
});
const HOSTS = Number(values.hosts);
const SECONDS = Number(values.seconds);

const embed = await import(
  new URL('../../apps/controller/dist/embed.js', import.meta.url).href
).catch(() => {
  process.stderr.write('build the controller first: pnpm --filter @apiary/controller build\n');
  process.exit(1);
});
const {
  createControllerCore,
  defaultConfig,
  openDatabase,
  parseDbTarget,
  placeAndReserve,
  bootstrapIfEmpty,
  createLogger,
} = embed;

async function setup(strategy) {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-bench-placement-'));
  const database = await openDatabase(
    parseDbTarget(values.db === 'sqlite' ? `sqlite:${join(dir, 'controller.db')}` : values.db),
  );
  const config = defaultConfig({ dataDir: dir, placement: strategy, restartGraceMs: 3_600_000 });
  const core = await createControllerCore({
    config,
    database,
    log: createLogger({ level: 'error' }),
  });
  return { dir, database, core };
}

async function seed({ core }) {
  await bootstrapIfEmpty(core.ctx, core.ctx.config.dataDir);
  const schema = core.ctx.t;
  const [meta] = await core.ctx.db.select().from(schema.meta);
  const orgId = meta.value;
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
  return { orgId, digest };
}

function persistFor(schema, orgId, envId, vmsCount, now) {
  return async (tx, hostIds) => {
    await tx.insert(schema.envs).values({
      id: envId,
      name: envId,
      orgId,
      state: 'creating',
      sshKeys: [],
      lifetime: 3600,
      onFailure: 'rollback',
      createdAt: now,
      expiresAt: now + 3_600_000,
      updatedAt: now,
    });
    await tx.insert(schema.vms).values(
      Array.from({ length: vmsCount }, (_, i) => ({
        id: `${envId}-${i}`,
        name: `${envId}-${i}`,
        envId,
        idx: i,
        orgId,
        hostId: hostIds[i] ?? null,
        image: 'img',
        imageDigest: null,
        engine: 'bhyve',
        cpu: 2,
        mem: 2048,
        disk: 20_000,
        ports: [22],
        denyOutgoing: false,
        state: 'pending',
        portMap: {},
        reserved: true,
        createdAt: now,
        updatedAt: now,
      })),
    );
  };
}

async function measure(label, fn) {
  const deadline = performance.now() + SECONDS * 1000;
  let n = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    await fn(n);
    n++;
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = n / seconds;
  process.stdout.write(
    `${label.padEnd(52)} ${rate.toFixed(0).padStart(8)} /s  (${n} in ${seconds.toFixed(1)} s)\n`,
  );
  return rate;
}

const results = {};
for (const strategy of ['spread', 'binpack']) {
  const env = await setup(strategy);
  const schema = env.core.ctx.t;
  const { orgId, digest } = await seed(env);
  const demand = (k) =>
    Array.from({ length: k }, () => ({ cpu: 2, mem: 2048, disk: 20_000, engine: 'bhyve', digest }));
  if (strategy === 'spread') {
    results.baseline = await measure('baseline: write env + VM rows, no placement', (n) => {
      const now = Date.now();
      return env.core.ctx.db.transaction((tx) =>
        persistFor(
          schema,
          orgId,
          `base-${n}`,
          1,
          now,
        )(tx, [`host_bench${String(n % HOSTS).padStart(8, '0')}`]),
      );
    });
  }
  results[`${strategy}1`] = await measure(`${strategy}: place + reserve 1-VM environments`, (n) =>
    placeAndReserve(
      env.core.ctx,
      orgId,
      demand(1),
      persistFor(schema, orgId, `${strategy}-a-${n}`, 1, Date.now()),
    ),
  );
  results[`${strategy}3`] = await measure(`${strategy}: place + reserve 3-VM environments`, (n) =>
    placeAndReserve(
      env.core.ctx,
      orgId,
      demand(3),
      persistFor(schema, orgId, `${strategy}-b-${n}`, 3, Date.now()),
    ),
  );
  await env.core.stop();
  await env.database.close();
  rmSync(env.dir, { recursive: true, force: true });
}

process.stdout.write(
  `\n${HOSTS} hosts (2% in maintenance, 10% holding the image), ${values.db === 'sqlite' ? 'SQLite WAL file' : 'PostgreSQL'}, one process.\n` +
    `placement cost vs. baseline: spread ${(results.baseline / results.spread1).toFixed(1)}x, binpack ${(results.baseline / results.binpack1).toFixed(1)}x the time of the bare writes\n`,
);
