import { startPostgres } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { copyDatabase } from '../../src/db/copy-database.js';
import { openDatabase } from '../../src/db/database.js';
import { readVmCounts } from '../../src/services/vm-counts.js';
import { addEnv, freshCounts } from './vm-count-fixtures.js';

describe('copyDatabase', () => {
  it('moves an installation from SQLite to an empty PostgreSQL database, all rows or none', async () => {
    const cluster = await startPostgres();
    const from = await openDatabase({ engine: 'sqlite', file: ':memory:' });
    const to = await openDatabase({ engine: 'postgres', url: cluster.database('target') });
    try {
      const now = Date.now();
      await from.db.insert(from.t.orgs).values({ id: 'org_a', name: 'a', createdAt: now });
      await from.db.insert(from.t.users).values(
        Array.from({ length: 450 }, (_, i) => ({
          id: `u${i}`,
          username: `user${i}`,
          passwordHash: 'scrypt$x',
          role: 'member' as const,
          orgId: 'org_a',
          disabled: i % 2 === 0,
          createdAt: now + i,
        })),
      );
      await from.db.insert(from.t.envs).values({
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
      await addEnv(from, 'org_a', ['running', 'running', 'stopped']);
      const report = await copyDatabase(from, to);
      expect(report.tables.find((r) => r.table === 'users')?.rows).toBe(450);
      const users = await to.db.select().from(to.t.users);
      expect(users).toHaveLength(450);
      expect(users.filter((u) => u.disabled)).toHaveLength(225);
      const [env] = await to.db.select().from(to.t.envs);
      expect(env?.sshKeys).toEqual(['ssh-ed25519 AAAA k']);
      // The VM counts are not copied: the target's triggers kept them as the VMs went in.
      expect((await readVmCounts(to.engine, to.db, undefined)).byState).toEqual({
        running: 2,
        stopped: 1,
      });
      expect(await freshCounts(to)).toEqual({ running: 2, stopped: 1 });
      // A second copy into the now non-empty target is refused, and changes nothing.
      await expect(copyDatabase(from, to)).rejects.toThrow(/not empty/);
      expect(await to.db.select().from(to.t.users)).toHaveLength(450);
    } finally {
      await from.close();
      await to.close();
      await cluster.stop();
    }
  }, 60_000);
});
