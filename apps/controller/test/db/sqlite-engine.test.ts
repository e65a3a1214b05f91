import { findMigrationsFolder } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEngine } from '../../src/db/sqlite-engine.js';
import { orgs } from '../../src/db/sqlite-schema.js';

let engine: ReturnType<typeof openSqliteEngine> | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const open = () => {
  engine = openSqliteEngine(':memory:', findMigrationsFolder(import.meta.url, 'drizzle/sqlite'));
  return engine.db;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the SQLite engine', () => {
  it('answers awaited queries and commits or rolls back async transactions', async () => {
    const db = open();
    await db.insert(orgs).values({ id: 'o1', name: 'one', createdAt: 1 });
    expect(await db.select().from(orgs)).toHaveLength(1);
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(orgs).values({ id: 'o2', name: 'two', createdAt: 2 });
        await sleep(5);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.select().from(orgs)).map((o) => o.id)).toEqual(['o1']);
  });

  it('keeps statements from outside an open transaction out of it', async () => {
    const db = open();
    let insideStarted!: () => void;
    const started = new Promise<void>((r) => {
      insideStarted = r;
    });
    const doomed = db.transaction(async (tx) => {
      await tx.insert(orgs).values({ id: 'in', name: 'inside', createdAt: 1 });
      insideStarted();
      await sleep(30);
      throw new Error('rollback');
    });
    await started;
    // Issued while the transaction is open: it must wait, and survive the rollback.
    // (`.run()` sends it now; a builder alone would wait to be awaited.)
    const outside = db.insert(orgs).values({ id: 'out', name: 'outside', createdAt: 2 }).run();
    await expect(doomed).rejects.toThrow('rollback');
    await outside;
    expect((await db.select().from(orgs)).map((o) => o.id)).toEqual(['out']);
  });

  it('runs transactions one at a time, each seeing the last one committed', async () => {
    const db = open();
    await db.insert(orgs).values({ id: 'c', name: '0', createdAt: 0 });
    const bump = () =>
      db.transaction(async (tx) => {
        const [row] = await tx.select().from(orgs).where(eq(orgs.id, 'c'));
        await sleep(1);
        await tx
          .update(orgs)
          .set({ name: String(Number(row?.name) + 1) })
          .where(eq(orgs.id, 'c'));
      });
    await Promise.all(Array.from({ length: 20 }, bump));
    const [row] = await db.select().from(orgs).where(eq(orgs.id, 'c'));
    expect(row?.name).toBe('20');
  });
});

describe("the SQLite engine's connection use (for /metrics)", () => {
  it('counts its one connection busy while a transaction holds it, and the work waiting', async () => {
    const db = open();
    expect(engine?.use()).toEqual({ inTransaction: false, waiting: 0 });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const tx = db.transaction(async (t) => {
      await t.insert(orgs).values({ id: 'o1', name: 'one', createdAt: 1 });
      entered();
      await held;
    });
    await inside;
    const outside = db.select().from(orgs);
    const read = outside.then((rows) => rows.length);
    await sleep(5);
    expect(engine?.use()).toEqual({ inTransaction: true, waiting: 1 });
    release();
    await tx;
    expect(await read).toBe(1);
    expect(engine?.use()).toEqual({ inTransaction: false, waiting: 0 });
  });
});
