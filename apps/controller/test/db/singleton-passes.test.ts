import { describe, expect, it } from 'vitest';
import { SingletonPasses } from '../../src/services/leases/singleton-passes.js';
import { engines, withDb } from './engine-fixtures.js';

/*
 * Background passes (reaper, drain worker, reconcile, polling) run on one controller of an
 * installation at a time, and move to another when it stops.
 */
describe.each(engines())('singleton passes on %s', (engine, open) => {
  it('runs each pass on one controller at a time, and hands it over on a clean stop', () =>
    withDb(open, async (d) => {
      const a = new SingletonPasses(d);
      const b = new SingletonPasses(d);
      expect(await a.mayRun('reap', 10_000)).toBe(true);
      // One controller alone (SQLite) runs everything; on PostgreSQL the lease decides.
      expect(await b.mayRun('reap', 10_000)).toBe(engine === 'sqlite');
      expect(await b.mayRun('drain', 10_000)).toBe(true);
      expect(await a.mayRun('reap', 10_000)).toBe(true);
      await a.releaseAll();
      expect(await b.mayRun('reap', 10_000)).toBe(true);
      expect(await a.mayRun('reap', 10_000)).toBe(engine === 'sqlite');
    }));

  it('says which pass leases it holds, with their epoch and expiry, until it gives them up', () =>
    withDb(open, async (d) => {
      const a = new SingletonPasses(d);
      const b = new SingletonPasses(d);
      const before = Date.now();
      await a.mayRun('reap', 10_000);
      await b.mayRun('reap', 10_000);
      if (engine === 'sqlite') {
        // No leases at all: the one controller runs every pass.
        expect(a.leases()).toEqual([]);
        return;
      }
      const [held] = a.leases();
      expect(held).toEqual({ name: 'pass:reap', epoch: 1, expiresAt: expect.any(Number) });
      // Set by the database's clock, ttl ahead (the test's clock is the same machine's).
      expect(held?.expiresAt).toBeGreaterThanOrEqual(before + 9_000);
      expect(held?.expiresAt).toBeLessThanOrEqual(Date.now() + 11_000);
      expect(b.leases()).toEqual([{ name: 'pass:reap', epoch: null, expiresAt: null }]);
      await a.releaseAll();
      await b.mayRun('reap', 10_000);
      expect(a.leases()).toEqual([{ name: 'pass:reap', epoch: null, expiresAt: null }]);
      // The takeover raised the epoch.
      expect(b.leases()[0]?.epoch).toBe(2);
    }));
});
