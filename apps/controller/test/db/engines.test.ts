import { and, asc, count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { engines as bothEngines, withDb } from './engine-fixtures.js';

/*
 * The same service-style code on both engines: what the data layer promises the services. Each
 * case runs on a fresh SQLite database and on a fresh PostgreSQL database.
 */

const engines = bothEngines();

const now = 1_764_000_000_000;

describe.each(engines)('on %s', (_name, open) => {
  it('reads back what it wrote: times as numbers, booleans, JSON, enums', async () => {
    await withDb(open, async ({ db, t }) => {
      await db.insert(t.orgs).values({ id: 'org_a', name: 'a', createdAt: now });
      await db.insert(t.users).values({
        id: 'u1',
        username: 'alice',
        passwordHash: 'x',
        role: 'member',
        orgId: 'org_a',
        createdAt: now,
      });
      await db.insert(t.envs).values({
        id: 'e1',
        name: 'e1',
        orgId: 'org_a',
        state: 'active',
        sshKeys: ['ssh-ed25519 AAAA k'],
        lifetime: 60,
        onFailure: 'rollback',
        createdAt: now,
        expiresAt: now + 60_000,
        updatedAt: now,
      });
      const [env] = await db.select().from(t.envs).where(eq(t.envs.id, 'e1'));
      expect(env).toMatchObject({ sshKeys: ['ssh-ed25519 AAAA k'], expiresAt: now + 60_000 });
      expect(typeof env?.createdAt).toBe('number');
      const [user] = await db.select().from(t.users).where(eq(t.users.username, 'alice'));
      expect(user?.disabled).toBe(false);
    });
  });

  it('makes conditional writes whose outcome is known from returning()', async () => {
    await withDb(open, async ({ db, t }) => {
      await db.insert(t.orgs).values({ id: 'o', name: 'o', createdAt: now });
      const take = () =>
        db
          .update(t.orgs)
          .set({ name: 'taken' })
          .where(and(eq(t.orgs.id, 'o'), eq(t.orgs.name, 'o')))
          .returning({ id: t.orgs.id });
      expect(await take()).toHaveLength(1);
      expect(await take()).toHaveLength(0);
    });
  });

  it('upserts, counts, orders and pages', async () => {
    await withDb(open, async ({ db, t }) => {
      for (const k of ['b', 'a', 'c']) {
        await db
          .insert(t.meta)
          .values({ key: k, value: '1' })
          .onConflictDoUpdate({ target: t.meta.key, set: { value: '1' } });
      }
      await db
        .insert(t.meta)
        .values({ key: 'a', value: '2' })
        .onConflictDoUpdate({ target: t.meta.key, set: { value: '2' } });
      const [{ total } = { total: 0 }] = await db.select({ total: count() }).from(t.meta);
      expect(Number(total)).toBe(3);
      const page = await db.select().from(t.meta).orderBy(asc(t.meta.key)).limit(2).offset(1);
      expect(page.map((r) => r.key)).toEqual(['b', 'c']);
      const [a] = await db.select().from(t.meta).where(eq(t.meta.key, 'a'));
      expect(a?.value).toBe('2');
      // Arithmetic in SQL that means the same on both engines.
      await db.insert(t.orgs).values({ id: 'o', name: 'o', createdAt: now });
      const [sum] = await db.select({ v: sql<number>`${t.orgs.createdAt} + 1` }).from(t.orgs);
      expect(Number(sum?.v)).toBe(now + 1);
    });
  });

  it('commits a transaction as a whole and rolls it back as a whole', async () => {
    await withDb(open, async ({ db, t }) => {
      await db.transaction(async (tx) => {
        await tx.insert(t.orgs).values({ id: 'x', name: 'x', createdAt: now });
        await tx.insert(t.orgs).values({ id: 'y', name: 'y', createdAt: now });
      });
      await expect(
        db.transaction(async (tx) => {
          await tx.insert(t.orgs).values({ id: 'z', name: 'z', createdAt: now });
          // Violates the unique name: the whole transaction goes.
          await tx.insert(t.orgs).values({ id: 'w', name: 'x', createdAt: now });
        }),
      ).rejects.toThrow();
      const ids = (await db.select().from(t.orgs).orderBy(asc(t.orgs.id))).map((o) => o.id);
      expect(ids).toEqual(['x', 'y']);
    });
  });

  it('never overcommits under concurrent conditional writes', async () => {
    await withDb(open, async ({ db, t }) => {
      await db.insert(t.meta).values({ key: 'left', value: '5' });
      // 20 takers race for 5 units, each with a read-check-write in one conditional statement.
      const take = async () =>
        (
          await db
            .update(t.meta)
            .set({ value: sql`CAST(CAST(${t.meta.value} AS INTEGER) - 1 AS TEXT)` })
            .where(and(eq(t.meta.key, 'left'), sql`CAST(${t.meta.value} AS INTEGER) > 0`))
            .returning({ key: t.meta.key })
        ).length;
      const results = await Promise.all(Array.from({ length: 20 }, take));
      expect(results.reduce((a, b) => a + b, 0)).toBe(5);
      const [row] = await db.select().from(t.meta).where(eq(t.meta.key, 'left'));
      expect(row?.value).toBe('0');
    });
  });
});
