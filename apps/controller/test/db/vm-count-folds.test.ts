import { type PostgresCluster, startPostgres } from '@apiary/testkit';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type DbOrTx, openDatabase } from '../../src/db/database.js';
import { foldVmCounts } from '../../src/services/vm-counts.js';
import { addEnv, addOrgs, deltaRows, mismatch } from './vm-count-fixtures.js';

/*
 * Two controllers folding the VM count deltas at the same time (PostgreSQL, READ COMMITTED):
 * the second fold meets the deltas the first is deleting, waits for it, and must then neither
 * add them again nor lose the deltas written meanwhile.
 */
let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

/** Resolves once a statement of this database waits for a lock another transaction holds. */
async function someoneWaitsForALock(d: Database): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const { rows } = await d.db.execute(
      sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if ((rows[0] as { n: number }).n > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('no statement came to wait for a lock');
}

describe('two folds at once (PostgreSQL)', () => {
  it('neither lose nor double a delta', async () => {
    const url = cluster.database('folds');
    const a = await openDatabase({ engine: 'postgres', url }, { poolSize: 2 });
    const b = await openDatabase({ engine: 'postgres', url }, { poolSize: 2 });
    try {
      await addOrgs(a);
      for (let i = 0; i < 30; i++)
        await addEnv(a, i % 2 ? 'org_a' : 'org_b', ['running', 'stopped']);
      expect(await deltaRows(a)).toBe(60);

      // A folds in a transaction it keeps open: its 60 deltas are deleted, not yet committed.
      let aFolded!: (n: number) => void;
      const aRan = new Promise<number>((r) => {
        aFolded = r;
      });
      let commitA!: () => void;
      const aMayCommit = new Promise<void>((r) => {
        commitA = r;
      });
      const first = a.db.transaction(async (tx) => {
        aFolded(await foldVmCounts('postgres', tx as DbOrTx));
        await aMayCommit;
      });
      expect(await aRan).toBe(60);

      // Writes committed after A's fold read the deltas: A does not have them.
      for (let i = 0; i < 5; i++) await addEnv(b, 'org_c', ['running']);
      // B folds now and waits on A's deleted rows; then another write it will not see.
      const second = foldVmCounts('postgres', b.db);
      await someoneWaitsForALock(b);
      await addEnv(b, 'org_a', ['failed']);
      commitA();
      await first;

      // B took only what A had not: the 5 written between, not A's 60 again.
      expect(await second).toBe(5);
      expect(await deltaRows(a)).toBe(1);
      expect(await mismatch(a)).toBeNull();
      expect(await foldVmCounts('postgres', a.db)).toBe(1);
      expect(await mismatch(b)).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
