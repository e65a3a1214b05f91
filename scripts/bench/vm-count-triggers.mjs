#!/usr/bin/env node
// What the VM count triggers (migration vm_counts) cost a VM write: environment + VM inserts, one
// transaction each, `--in-flight` at a time, in slices of `--batch` transactions on one database
// (so every way sees the same machine and table size), three ways in rotating order each round:
// this branch (triggers, index vms_org_state dropped), main (no triggers, the index) and no
// triggers without the index (the triggers' cost alone). The placement bench's rates swing
// several-fold on a loaded machine; this compares the write path alone, side by side: per way
// the median µs per transaction and the median over rounds of main's time / its time (a rate
// ratio, each from slices run next to each other). On PostgreSQL, its own EXPLAIN ANALYZE of
// bulk inserts with and without the triggers. Then what status pays per VM figures read with
// 100,000 VMs: the count it ran before against the kept counts with 1,000 deltas waiting.
//
//   pnpm build && node scripts/bench/vm-count-triggers.mjs [--db sqlite|postgres] [--rounds 10] [--batch 300] [--in-flight 16]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { importControllerEmbed } from './lib/controller-embed.mjs';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '300' },
    'in-flight': { type: 'string', default: '16' },
  },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const IN_FLIGHT = Number(values['in-flight']);
const TRIGGERS = ['vms_count_insert', 'vms_count_update', 'vms_count_delete'];

const root = new URL('../../', import.meta.url).pathname;
const { openDatabase } = await importControllerEmbed();
// The triggers are switched on a connection of their own (the drivers the controller uses).
const require = createRequire(join(root, 'apps/controller/package.json'));

const dir = mkdtempSync(join(tmpdir(), 'apiary-bench-vmcounts-'));
let cluster;
let target;
if (values.db === 'postgres') {
  const testkit = await import(join(root, 'packages/testkit/dist/index.js'));
  cluster = await testkit.startPostgres();
  target = { engine: 'postgres', url: cluster.database('vmcounts') };
} else {
  target = { engine: 'sqlite', file: join(dir, 'controller.db') };
}
const database = await openDatabase(target);
const { db, t } = database;

let side;
if (target.engine === 'postgres') {
  side = new (require('pg').Client)({ connectionString: target.url });
  await side.connect();
} else {
  side = new (require('better-sqlite3'))(target.file);
}
// SQLite cannot disable a trigger: it is dropped and made again from its own text.
const sqliteText = new Map(
  target.engine === 'sqlite'
    ? TRIGGERS.map((n) => [
        n,
        side.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(n),
      ])
    : [],
);
/** main's write path had the index vms_org_state, which this branch drops with the counts. */
let indexed = false;
async function index(on) {
  if (on === indexed) return;
  indexed = on;
  const q = on ? 'CREATE INDEX vms_org_state ON vms (org_id, state)' : 'DROP INDEX vms_org_state';
  if (target.engine === 'postgres') await side.query(q);
  else side.exec(q);
}
let enabled = true;
async function triggers(on) {
  if (on === enabled) return;
  enabled = on;
  for (const name of TRIGGERS) {
    if (target.engine === 'postgres')
      await side.query(`ALTER TABLE vms ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${name}`);
    else side.exec(on ? sqliteText.get(name) : `DROP TRIGGER ${name}`);
  }
}

await db.insert(t.orgs).values({ id: 'org_bench', name: 'bench', createdAt: 1 });
let serial = 0;
async function writeOne() {
  const id = `env_b${++serial}`;
  await db.transaction(async (tx) => {
    await tx.insert(t.envs).values({
      id,
      name: id,
      orgId: 'org_bench',
      state: 'active',
      sshKeys: [],
      lifetime: 3600,
      onFailure: 'rollback',
      createdAt: serial,
      expiresAt: serial + 3_600_000,
      updatedAt: serial,
    });
    await tx.insert(t.vms).values({
      id: `${id}-0`,
      name: `${id}-0`,
      envId: id,
      idx: 0,
      orgId: 'org_bench',
      image: 'img',
      engine: 'bhyve',
      cpu: 1,
      mem: 512,
      disk: 1000,
      ports: [22],
      denyOutgoing: false,
      state: 'pending',
      portMap: {},
      createdAt: serial,
      updatedAt: serial,
    });
  });
}

/** µs per transaction over one slice of BATCH, IN_FLIGHT at a time. */
async function slice() {
  let left = BATCH;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (left-- > 0) await writeOne();
    }),
  );
  return ((performance.now() - started) * 1000) / BATCH;
}

/*
 * What status pays per VM figures read, before and after: the count over 100,000 VMs (with the
 * index it had, vms_org_state, made again for this) against the kept counts plus the deltas
 * that wait for a fold (as many as a status read leaves before folding).
 */
const VMS = 100_000;
const READS = 40;
const COUNTED = `SELECT state, count(*) AS n FROM vms WHERE state <> 'deleted' GROUP BY org_id, state`;
const KEPT = `SELECT state, sum(n) AS n, sum(delta) AS deltas FROM (
  SELECT state, n, 0 AS delta FROM vm_counts UNION ALL SELECT state, d, 1 FROM vm_count_deltas
) c GROUP BY state`;
async function readCosts() {
  const states = `(CASE WHEN i % 7 = 0 THEN 'stopped' ELSE 'running' END)`;
  const rows = `SELECT 'vmb' || i, 'vmb' || i, 'env_b1', i, 'org_bench', 'img', 'bhyve', 1, 1, 1, '[]', false, ${states}, '{}', 1, 1`;
  const insert = `INSERT INTO vms (id, name, env_id, idx, org_id, image, engine, cpu, mem, disk, ports, deny_outgoing, state, port_map, created_at, updated_at)`;
  let time;
  if (target.engine === 'postgres') {
    await side.query(`${insert} ${rows} FROM generate_series(1, ${VMS}) AS i`);
    await side.query('CREATE INDEX IF NOT EXISTS vms_org_state ON vms (org_id, state)');
    await side.query('VACUUM ANALYZE vms');
    time = async (q) => {
      const started = performance.now();
      await side.query(q);
      return performance.now() - started;
    };
  } else {
    side.exec(
      `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${VMS}) ${insert} ${rows} FROM s`,
    );
    side.exec('CREATE INDEX IF NOT EXISTS vms_org_state ON vms (org_id, state); ANALYZE');
    time = async (q) => {
      const st = side.prepare(q);
      const started = performance.now();
      st.all();
      return performance.now() - started;
    };
  }
  // Fold, then leave deltas as a status read at the fold threshold would find them.
  await time('SELECT 1');
  const fold =
    target.engine === 'postgres'
      ? `WITH moved AS (DELETE FROM vm_count_deltas RETURNING org_id, state, d) INSERT INTO vm_counts (org_id, state, n) SELECT org_id, state, sum(d) FROM moved GROUP BY org_id, state ON CONFLICT (org_id, state) DO UPDATE SET n = vm_counts.n + EXCLUDED.n`
      : null;
  if (fold) await side.query(fold);
  else
    side.exec(
      'BEGIN IMMEDIATE; INSERT INTO vm_counts (org_id, state, n) SELECT org_id, state, sum(d) FROM vm_count_deltas WHERE true GROUP BY org_id, state ON CONFLICT (org_id, state) DO UPDATE SET n = vm_counts.n + excluded.n; DELETE FROM vm_count_deltas; COMMIT',
    );
  for (let i = 0; i < 500; i++) {
    const flip = `UPDATE vms SET state = '${i % 2 ? 'running' : 'stopped'}' WHERE id = 'vmb1'`;
    if (target.engine === 'postgres') await side.query(flip);
    else side.exec(flip);
  }
  const counted = [];
  const kept = [];
  for (let i = 0; i < READS; i++) {
    counted.push(await time(COUNTED));
    kept.push(await time(KEPT));
  }
  return { counted: median(counted), kept: median(kept), deltas: 1000 };
}

/**
 * PostgreSQL's own account of the insert trigger: EXPLAIN ANALYZE of 20,000-VM INSERTs with the
 * triggers on and off in turn (its time per VM, and the trigger's share PostgreSQL reports).
 */
async function explainedInserts() {
  const n = 20_000;
  const per = (ms) => (ms * 1000) / n;
  const runs = { on: [], off: [], trigger: [] };
  for (let r = 0; r < 6; r++) {
    for (const on of r % 2 ? [false, true] : [true, false]) {
      await triggers(on);
      const { rows } = await side.query(
        `EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO vms (id, name, env_id, idx, org_id, image, engine, cpu, mem, disk, ports, deny_outgoing, state, port_map, created_at, updated_at)
         SELECT 'vmx${r}${on}' || i, 'vmx${r}${on}' || i, 'env_b1', i, 'org_bench', 'img', 'bhyve', 1, 1, 1, '[]', false, 'running', '{}', 1, 1 FROM generate_series(1, ${n}) AS i`,
      );
      const plan = rows[0]['QUERY PLAN'][0];
      runs[on ? 'on' : 'off'].push(per(plan['Execution Time']));
      if (on)
        runs.trigger.push(
          per(plan.Triggers.find((t) => t['Trigger Name'] === 'vms_count_insert').Time),
        );
    }
  }
  await triggers(true);
  return `PostgreSQL's EXPLAIN ANALYZE of ${n}-VM INSERTs, 6 each way (medians): ${median(runs.on).toFixed(1)} µs per VM with the triggers (vms_count_insert ${median(runs.trigger).toFixed(1)} µs of it), ${median(runs.off).toFixed(1)} µs without\n`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
// The write path three ways: this branch (triggers, no vms_org_state), main (no triggers, the
// index) and the triggers' cost alone (no triggers, no index).
const MODES = [
  { name: 'count triggers, no vms_org_state (this branch)', triggers: true, index: false },
  { name: 'no triggers, vms_org_state (main)', triggers: false, index: true },
  { name: 'no triggers, no vms_org_state', triggers: false, index: false },
];
const times = MODES.map(() => []);
try {
  await slice(); // warm-up, not counted
  for (let r = 0; r < ROUNDS; r++) {
    // A different order each round, so no mode always follows the same one's leftovers.
    for (let k = 0; k < MODES.length; k++) {
      const m = (k + r) % MODES.length;
      await triggers(MODES[m].triggers);
      await index(MODES[m].index);
      times[m].push(await slice());
    }
  }
  await triggers(true);
  await index(false);
  const reads = await readCosts();
  const explained = target.engine === 'postgres' ? await explainedInserts() : '';
  const medians = times.map(median);
  process.stdout.write(
    `${target.engine}: environment + VM insert, one transaction each, ${IN_FLIGHT} in flight, ${ROUNDS} slices of ${BATCH} each way (load average ${load()})\n` +
      MODES.map(
        (m, i) =>
          `  ${m.name.padEnd(48)} ${medians[i].toFixed(0).padStart(5)} µs per transaction; rate / main's, median of the rounds' ratios ${median(times[i].map((x, r) => times[1][r] / x)).toFixed(3)} (slices ${times[i].map((x) => x.toFixed(0)).join(' ')})\n`,
      ).join('') +
      explained +
      `status's VM figures with ${VMS} VMs, read ${READS} times each, interleaved (medians):\n` +
      `  counted (before: count(*) over vms_org_state)  ${reads.counted.toFixed(2).padStart(7)} ms\n` +
      `  kept (vm_counts + deltas, ${reads.deltas} deltas)      ${reads.kept.toFixed(2).padStart(7)} ms  (load average ${load()})\n`,
  );
} finally {
  await (target.engine === 'postgres' ? side.end() : side.close());
  await database.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
