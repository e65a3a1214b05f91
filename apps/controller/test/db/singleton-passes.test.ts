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
});
