#!/usr/bin/env node
// What the index hosts_free_mem (dropped by migrations sqlite 0023 / pg 0021) cost a host's
// conditional reservation on SQLite: the controller's own `reserveOnHost`, 8 per transaction (a
// placement group), on a database of `--hosts` hosts, with the index put back and without it,
// in alternating slices of `--batch` transactions. Two patterns of hosts: random ones, and
// neighbours in free-memory order (what one group of spread or binpack placements reserves:
// the hosts with the most free memory, or the same few least free). Prints per way the median
// µs per reservation (each including an eighth of its transaction) and the ratio.
//
//   pnpm build && node scripts/bench/host-reservation-index.mjs [--hosts 10000] [--rounds 10] [--batch 200]
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '200' },
  },
});
const HOSTS = Number(values.hosts);
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const PER_TX = 8;

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
  bootstrapIfEmpty,
  createLogger,
  reserveOnHost,
} = embed;
const { sql } = createRequire(new URL('../../apps/controller/package.json', import.meta.url))(
  'drizzle-orm',
);

// The index as migration 0001_placement_index made it.
const CREATE_INDEX = `CREATE INDEX hosts_free_mem ON hosts (org_id, liveness, policy, ("total_mem" - "reserved_mem" - "foreign_mem"))`;

const dir = mkdtempSync(join(tmpdir(), 'apiary-bench-reservation-'));
const database = await openDatabase(parseDbTarget(`sqlite:${join(dir, 'controller.db')}`));
const core = await createControllerCore({
  config: defaultConfig({ dataDir: dir, restartGraceMs: 3_600_000 }),
  database,
  log: createLogger({ level: 'error' }),
});
const { ctx } = core;
try {
  await bootstrapIfEmpty(ctx, dir);
  const meta = await ctx.db.select().from(ctx.t.meta);
  const orgId = meta.find((m) => m.key === 'default_org_id').value;
  const now = Date.now();
  const rows = Array.from({ length: HOSTS }, (_, i) => ({
    id: `host_bench${String(i).padStart(8, '0')}`,
    hostname: `hv${i}`,
    addr: `http://10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:9100`,
    publicAddr: `10.0.0.${i & 255}`,
    orgId,
    source: 'registered',
    liveness: 'ready',
    policy: 'eligible',
    engines: ['bhyve'],
    storage: 'zvol',
    agentVersion: '0.1.0',
    apiVersion: '1.0',
    // Room for every reservation of the run: only the index's upkeep is measured.
    totalCpu: 1e9,
    totalMem: 131072 * 1024 + (i % 8) * 16384,
    totalDisk: 1e12,
    registeredAt: now,
    updatedAt: now,
  }));
  await ctx.db.transaction(async (tx) => {
    for (let i = 0; i < rows.length; i += 500)
      await tx.insert(ctx.t.hosts).values(rows.slice(i, i + 500));
  });
  // Neighbours in the index's order: free memory, then id.
  const byFreeMem = rows
    .map((r) => r.id)
    .sort((a, b) => (Number(a.slice(-8)) % 8) - (Number(b.slice(-8)) % 8) || (a < b ? -1 : 1));
  const patterns = {
    random: (k) => rows[(k * 7919) % HOSTS].id,
    neighbours: (k) =>
      byFreeMem[(Math.floor(k / PER_TX) % (HOSTS / PER_TX)) * PER_TX + (k % PER_TX)],
  };
  const demand = { cpu: 1, mem: 1, disk: 1 };
  let k = 0;
  async function slice(pick) {
    const started = process.hrtime.bigint();
    for (let b = 0; b < BATCH; b++) {
      await ctx.db.transaction(async (tx) => {
        for (let j = 0; j < PER_TX; j++) {
          if (!(await reserveOnHost(ctx, tx, pick(k++), demand))) throw new Error('not reserved');
        }
      });
    }
    return Number(process.hrtime.bigint() - started) / 1e3 / (BATCH * PER_TX);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, pick] of Object.entries(patterns)) {
    const withIndex = [];
    const without = [];
    await slice(pick); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      // Alternating which goes first, so neither always follows the other's checkpoint.
      for (const indexed of r % 2 === 0 ? [true, false] : [false, true]) {
        await ctx.db.run(sql.raw(indexed ? CREATE_INDEX : 'DROP INDEX IF EXISTS hosts_free_mem'));
        (indexed ? withIndex : without).push(await slice(pick));
        await ctx.db.run(sql.raw('DROP INDEX IF EXISTS hosts_free_mem'));
      }
    }
    const a = median(withIndex);
    const b = median(without);
    console.log(
      `${name.padEnd(10)} hosts: with hosts_free_mem ${a.toFixed(1)} µs, without ${b.toFixed(1)} µs per reservation (median of ${ROUNDS}); without / with = ${(b / a).toFixed(2)}`,
    );
  }
  console.log(
    `${HOSTS} hosts, SQLite WAL file, ${PER_TX} reservations per transaction, ${BATCH} transactions per slice.`,
  );
} finally {
  await core.stop();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
