import { count, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database.js';
import { foldVmCounts, readVmCounts } from '../../src/services/vm-counts.js';

/*
 * Environments and VMs written the way the services write them (drizzle, both engines), and a
 * random mix of the VM writes the counts must follow: inserts, state changes (one VM and a whole
 * environment's), organization moves, writes of other columns, deletes, cascaded deletes.
 */

export const ORGS = ['org_a', 'org_b', 'org_c'];
const STATES = ['pending', 'creating', 'running', 'stopped', 'failed', 'deleted'];

/** A small deterministic generator: a failing mix can be run again as it was. */
export function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T };
}

/** Runs a statement outside drizzle's builders on either engine. */
export async function exec(d: Database, q: SQL): Promise<void> {
  if (d.engine === 'sqlite') await (d.db as unknown as { run(q: SQL): Promise<unknown> }).run(q);
  else await d.db.execute(q);
}

export async function addOrgs(d: Database): Promise<void> {
  await d.db
    .insert(d.t.orgs)
    .values(ORGS.map((id) => ({ id, name: id, createdAt: 1 })))
    .onConflictDoNothing();
}

let serial = 0;

/** An environment of `orgId` with `n` VMs in `states` (one each, in turn). */
export async function addEnv(d: Database, orgId: string, states: string[]): Promise<string> {
  const id = `env_${++serial}`;
  await d.db.transaction(async (tx) => {
    await tx.insert(d.t.envs).values({
      id,
      name: id,
      orgId,
      state: 'active',
      sshKeys: [],
      lifetime: 3600,
      onFailure: 'keep',
      createdAt: serial,
      expiresAt: serial + 3_600_000,
      updatedAt: serial,
    });
    await tx.insert(d.t.vms).values(
      states.map((state, idx) => ({
        id: `${id}-${idx}`,
        name: `${id}-${idx}`,
        envId: id,
        idx,
        orgId,
        image: 'img',
        engine: 'bhyve',
        cpu: 1,
        mem: 512,
        disk: 1000,
        ports: [],
        denyOutgoing: false,
        state,
        portMap: {},
        createdAt: serial,
        updatedAt: serial,
      })),
    );
  });
  return id;
}

/** What a fresh count says, in the shape `readVmCounts` answers. */
export async function freshCounts(d: Database, org?: string): Promise<Record<string, number>> {
  const { vms } = d.t;
  const rows = await d.db
    .select({ state: vms.state, n: count() })
    .from(vms)
    .where(org === undefined ? undefined : eq(vms.orgId, org))
    .groupBy(vms.state);
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

/** The kept counts against a fresh count, for every organization and all of them. */
export async function mismatch(d: Database): Promise<string | null> {
  for (const org of [undefined, ...ORGS]) {
    const kept = (await readVmCounts(d.engine, d.db, org)).byState;
    const fresh = await freshCounts(d, org);
    if (JSON.stringify(sorted(kept)) !== JSON.stringify(sorted(fresh)))
      return `${org ?? 'all'}: kept ${JSON.stringify(sorted(kept))}, counted ${JSON.stringify(sorted(fresh))}`;
  }
  return null;
}

const sorted = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * `steps` random VM writes, folding now and then; stops at the first step after which the kept
 * counts differ from a fresh count, and says which. Null: they agreed after every step.
 */
export async function randomMix(d: Database, seed: number, steps: number): Promise<string | null> {
  const r = random(seed);
  const { envs, vms } = d.t;
  let folds = 0;
  for (let step = 0; step < steps; step++) {
    const all = await d.db.select({ id: vms.id, envId: vms.envId }).from(vms);
    const roll = r.next();
    let what: string;
    if (all.length < 5 || roll < 0.2) {
      const n = 1 + Math.floor(r.next() * 3);
      await addEnv(
        d,
        r.pick(ORGS),
        Array.from({ length: n }, () => r.pick(STATES)),
      );
      what = `insert ${n}`;
    } else if (roll < 0.4) {
      // Sometimes the state it already has: no move, and no delta needed.
      await d.db
        .update(vms)
        .set({ state: r.pick(STATES) })
        .where(eq(vms.id, r.pick(all).id));
      what = 'state of one';
    } else if (roll < 0.5) {
      await d.db
        .update(vms)
        .set({ state: r.pick(STATES) })
        .where(eq(vms.envId, r.pick(all).envId));
      what = "state of an environment's";
    } else if (roll < 0.6) {
      await d.db
        .update(vms)
        .set({ orgId: r.pick(ORGS), state: r.pick(STATES) })
        .where(eq(vms.id, r.pick(all).id));
      what = 'organization and state';
    } else if (roll < 0.65) {
      await d.db
        .update(vms)
        .set({ orgId: r.pick(ORGS) })
        .where(eq(vms.id, r.pick(all).id));
      what = 'organization';
    } else if (roll < 0.75) {
      await d.db
        .update(vms)
        .set({ ip: `10.0.0.${step % 250}` })
        .where(eq(vms.id, r.pick(all).id));
      what = 'another column';
    } else if (roll < 0.85) {
      await d.db.delete(vms).where(eq(vms.id, r.pick(all).id));
      what = 'delete one';
    } else if (roll < 0.93) {
      // The VMs go with their environment (ON DELETE CASCADE).
      await d.db.delete(envs).where(eq(envs.id, r.pick(all).envId));
      what = 'delete an environment';
    } else {
      await foldVmCounts(d.engine, d.db);
      folds++;
      what = 'fold';
    }
    const wrong = await mismatch(d);
    if (wrong) return `step ${step} (${what}): ${wrong}`;
  }
  await foldVmCounts(d.engine, d.db);
  const wrong = await mismatch(d);
  if (wrong) return `after the last fold: ${wrong}`;
  if (folds === 0) return 'the mix never folded';
  return null;
}

/** Deltas waiting to be folded. */
export async function deltaRows(d: Database): Promise<number> {
  return (await readVmCounts(d.engine, d.db, undefined)).deltas;
}

export const dropTrigger = (d: Database, name: string) =>
  exec(d, sql.raw(d.engine === 'sqlite' ? `DROP TRIGGER ${name}` : `DROP TRIGGER ${name} ON vms`));
