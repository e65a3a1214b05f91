import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { insertStatement, param, statement } from '../../src/db/prepared-statement.js';
import {
  type EnvRowValues,
  insertEnvRows,
  type VmRowValues,
} from '../../src/services/envs/env-rows.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { defaultOrg } from '../helpers/placement-fixtures.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * Statements built once (db/prepared-statement.ts) must behave as the builder's on both engines:
 * inside a transaction they commit and roll back with it (SQLite runs the one prepared on the
 * database there, PostgreSQL the one prepared on the transaction's connection), write listeners hear
 * them (the candidate index and the kept totals depend on it), and their rows read back as the
 * builder's do: JSON, booleans, nulls.
 */

let h: Harness;
afterEach(async () => h?.close());

const ORG_COLUMNS = ['id', 'name', 'createdAt'] as const;
const insertOrgs = insertStatement('test_orgs', (t) => t.orgs, ORG_COLUMNS);
const orgById = statement('test_org_by_id', (db, { orgs }) =>
  db
    .select()
    .from(orgs)
    .where(eq(orgs.id, param('id'))),
);

class Abort extends Error {}

/** Resolves for everyone once `parties` callers have arrived. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    if (++arrived === parties) open();
    return opened;
  };
}

const T0 = Date.UTC(2026, 11, 7, 4, 0, 0);

describe('prepared statements', () => {
  it('commit and roll back with the transaction they run in', async () => {
    h = await createHarness();
    const { ctx } = h.core;
    await ctx.db.transaction(async (tx) => {
      await insertOrgs.run(ctx, [{ id: 'org_kept', name: 'kept', createdAt: 1 }], tx);
    });
    await expect(
      ctx.db.transaction(async (tx) => {
        await insertOrgs.run(
          ctx,
          [
            { id: 'org_gone1', name: 'gone1', createdAt: 2 },
            { id: 'org_gone2', name: 'gone2', createdAt: 3 },
          ],
          tx,
        );
        // Seen inside the transaction, by a statement that runs in it too.
        expect(await orgById.run(ctx, { id: 'org_gone2' }, tx)).toHaveLength(1);
        throw new Abort();
      }),
    ).rejects.toBeInstanceOf(Abort);
    expect((await orgById.run(ctx, { id: 'org_kept' }))[0]).toMatchObject({ name: 'kept' });
    expect(await orgById.run(ctx, { id: 'org_gone1' })).toEqual([]);
    expect(await orgById.run(ctx, { id: 'org_gone2' })).toEqual([]);
  });

  // SQLite has one connection; a PostgreSQL transaction has a pool connection of its own, and a
  // statement prepared in one transaction is run in later ones on the same connection only.
  it.skipIf(testEngine() !== 'postgres')(
    'run in each of two transactions open at once, on its own connection',
    async () => {
      h = await createHarness();
      const { ctx } = h.core;
      for (let round = 0; round < 3; round++) {
        const wrote = barrier(2);
        const read = barrier(2);
        const seen = await Promise.all(
          ['a', 'b'].map((side) =>
            ctx.db.transaction(async (tx) => {
              const id = `org_${side}${round}`;
              await insertOrgs.run(ctx, [{ id, name: id, createdAt: round }], tx);
              await wrote();
              const other = `org_${side === 'a' ? 'b' : 'a'}${round}`;
              const rows = {
                own: (await orgById.run(ctx, { id }, tx)).length,
                other: (await orgById.run(ctx, { id: other }, tx)).length,
              };
              // Neither commits before both have read.
              await read();
              return rows;
            }),
          ),
        );
        // Each sees its own uncommitted row and not the other's.
        expect(seen).toEqual([
          { own: 1, other: 0 },
          { own: 1, other: 0 },
        ]);
      }
      expect(await orgById.run(ctx, { id: 'org_b2' })).toHaveLength(1);
    },
  );

  it('are heard by write listeners and counted', async () => {
    h = await createHarness();
    const { ctx } = h.core;
    const heard: string[] = [];
    const stop = h.database.onWrite((query) => heard.push(query));
    const before = h.database.statements();
    await insertOrgs.run(ctx, [{ id: 'org_heard', name: 'heard', createdAt: 1 }]);
    await orgById.run(ctx, { id: 'org_heard' });
    stop();
    expect(h.database.statements() - before).toBe(2);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatch(/^insert into "orgs"/);
  });

  it('write the rows the builder writes, JSON and booleans included', async () => {
    h = await createHarness();
    const { ctx } = h.core;
    const t = ctx.t;
    const orgId = await defaultOrg(ctx);
    const envRow = (id: string): EnvRowValues => ({
      id,
      name: id,
      orgId,
      owner: 'ops',
      createdBy: null,
      state: 'creating',
      sshKeys: ['ssh-ed25519 AAAAC3Nz a@b'],
      lifetime: 3600,
      onFailure: 'keep',
      createdAt: T0,
      expiresAt: T0 + 3_600_000,
      updatedAt: T0,
      vni: id === 'env_prepared' ? 4242 : 4243,
      privateSubnet: '10.77.0.0/24',
    });
    const vmRows = (envId: string): VmRowValues[] =>
      [0, 1, 2].map((idx) => ({
        id: `${envId}-${idx}`,
        name: `${envId}-${idx}`,
        envId,
        idx,
        orgId,
        hostId: idx === 2 ? null : 'host_somewhere',
        image: 'debian-12',
        imageDigest: idx === 1 ? null : `sha256:${'a'.repeat(64)}`,
        bootIso: idx === 1,
        engine: 'bhyve',
        cpu: 2,
        mem: 2048,
        disk: 20_000,
        ports: [22, 8080 + idx],
        denyOutgoing: idx === 0,
        loginUser: idx === 0 ? 'admin' : null,
        recipe: null,
        recipeVersion: idx === 2 ? 3 : null,
        recipeState: idx === 2 ? 'pending' : null,
        state: 'pending',
        portMap: (idx === 0 ? { '22': 40022 } : {}) as Record<string, number>,
        networks: idx === 0 ? null : ['nat', 'lan'],
        privateIp: `10.77.0.${10 + idx}`,
        reserved: idx !== 1,
        createdAt: T0,
        updatedAt: T0,
      }));
    await ctx.db.transaction((tx) =>
      insertEnvRows(ctx, tx, envRow('env_prepared'), vmRows('env_prepared')),
    );
    await ctx.db.insert(t.envs).values(envRow('env_built'));
    await ctx.db.insert(t.vms).values(vmRows('env_built'));
    const read = async (envId: string) => ({
      env: (await ctx.db.select().from(t.envs).where(eq(t.envs.id, envId)))[0],
      vms: (await ctx.db.select().from(t.vms).where(eq(t.vms.envId, envId))).sort(
        (a, b) => a.idx - b.idx,
      ),
    });
    const prepared = await read('env_prepared');
    const built = await read('env_built');
    expect(prepared.vms).toHaveLength(3);
    const renamed = JSON.parse(
      JSON.stringify({ ...built, env: { ...built.env, vni: 4242 } }).replaceAll(
        'env_built',
        'env_prepared',
      ),
    );
    expect(JSON.parse(JSON.stringify(prepared))).toEqual(renamed);
    expect(prepared.vms[0]).toMatchObject({
      ports: [22, 8080],
      denyOutgoing: true,
      bootIso: false,
    });
  });

  it('refuse a row without a value for a column, writing nothing', async () => {
    h = await createHarness();
    const { ctx } = h.core;
    await expect(
      insertOrgs.run(ctx, [
        { id: 'org_whole', name: 'whole', createdAt: 1 },
        { id: 'org_half', name: undefined, createdAt: 1 },
      ]),
    ).rejects.toThrow('insert test_orgs: row 1 has no name');
    expect(await orgById.run(ctx, { id: 'org_whole' })).toEqual([]);
  });

  it('cannot share a name (a PostgreSQL prepared statement has one text)', () => {
    expect(() => statement('test_org_by_id', (db, { orgs }) => db.select().from(orgs))).toThrow(
      'two statements are named test_org_by_id',
    );
  });
});
