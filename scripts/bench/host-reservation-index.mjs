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
import { importControllerEmbed } from './lib/controller-embed.mjs';
import { seedFleet } from './lib/seed-fleet.mjs';

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

const embed = await importControllerEmbed();
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
  await seedFleet(core, { hosts: HOSTS, envs: 0, vms: 0 });
  // Every host that takes reservations (seedFleet puts one in fifty in maintenance).
  const rows = await ctx.db
    .select({ id: ctx.t.hosts.id, totalMem: ctx.t.hosts.totalMem })
    .from(ctx.t.hosts)
    .where(sql`${ctx.t.hosts.policy} = 'eligible'`);
  // Neighbours in the index's order: free memory (nothing reserved yet: total), then id.
  const byFreeMem = rows
    .sort((a, b) => a.totalMem - b.totalMem || (a.id < b.id ? -1 : 1))
    .map((r) => r.id);
  const byId = rows.map((r) => r.id).sort();
  const patterns = {
    // 7919 is prime: a stride that visits every host before any twice.
    random: (k) => byId[(k * 7919) % byId.length],
    // Consecutive reservations, so one transaction's are next to each other in that order.
    neighbours: (k) => byFreeMem[k % byFreeMem.length],
  };
  // 1 MiB of memory: the indexed expression changes, and no host runs out in any run's length.
  const demand = { cpu: 0, mem: 1, disk: 0 };
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
