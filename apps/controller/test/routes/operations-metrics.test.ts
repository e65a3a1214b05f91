import { promtoolCheck, waitFor } from '@apiary/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { shareHeard } from '../../src/services/hosts/shared-liveness.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * What an operator of several controllers reads at /metrics: database connections, the leases
 * each controller holds, and how long sharing liveness takes. Runs on the test engine (SQLite,
 * or PostgreSQL with APIARY_TEST_DB=postgres).
 */

let h: Harness;
afterEach(async () => h?.close());

const scrape = async () => (await h.core.app.request('/metrics')).text();
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics for operators', () => {
  it('reports database connection use: the pool on PostgreSQL, one connection on SQLite', async () => {
    h = await createHarness();
    const text = await scrape();
    if (testEngine() === 'postgres') {
      // The test database's pool (test-db.ts): 4 at most, the LISTEN connection always open.
      expect(sample(text, 'apiary_controller_db_connections_max')).toBe(4);
      expect(sample(text, 'apiary_controller_db_connections')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'apiary_controller_db_connections_idle')).toBeGreaterThanOrEqual(0);
    } else {
      expect(sample(text, 'apiary_controller_db_connections')).toBe(1);
      expect(sample(text, 'apiary_controller_db_connections_max')).toBe(1);
      // Nothing holds the one connection between requests.
      expect(sample(text, 'apiary_controller_db_connections_idle')).toBe(1);
    }
    expect(sample(text, 'apiary_controller_db_connection_waiters')).toBe(0);
  });

  it('reports each pass lease held (1) or not (0) with its epoch, and held leases by kind', async () => {
    h = await createHarness();
    const expiresAt = Date.now() + 60_000;
    h.core.ctx.leases.register({
      kind: 'saga',
      seriesPerLease: false,
      leases: () => [{ name: 'saga:env_a', epoch: 2, expiresAt }],
    });
    h.core.start();
    const text =
      testEngine() === 'postgres'
        ? await waitFor(
            async () => {
              const t = await scrape();
              return t.includes('apiary_controller_lease_held{lease="pass:reap"} 1') && t;
            },
            { what: 'the reaper lease at /metrics' },
          )
        : await scrape();
    if (testEngine() === 'postgres') {
      expect(sample(text, 'apiary_controller_lease_epoch{lease="pass:reap"}')).toBe(1);
      expect(sample(text, 'apiary_controller_leases_held{kind="pass"}')).toBeGreaterThanOrEqual(1);
    } else {
      // One controller alone takes no leases: no series per pass.
      expect(text).not.toContain('apiary_controller_lease_held{');
      expect(sample(text, 'apiary_controller_leases_held{kind="pass"}')).toBe(0);
    }
    // Per-environment leases are counted, never a series each (their names grow without bound).
    expect(sample(text, 'apiary_controller_leases_held{kind="saga"}')).toBe(1);
    expect(text).not.toContain('saga:env_a');
    expect(promtoolCheck(text)).toBe('');
    await h.core.stop();
    const after = await scrape();
    if (testEngine() === 'postgres') {
      // Given up on a clean stop: 0, and no epoch.
      expect(sample(after, 'apiary_controller_lease_held{lease="pass:reap"}')).toBe(0);
      expect(after).not.toContain('apiary_controller_lease_epoch{lease="pass:reap"}');
    }
    expect(sample(after, 'apiary_controller_leases_held{kind="pass"}')).toBe(0);
  });

  it('times each flush of heard heartbeats to the database, and passes promtool', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_flushmetric1' });
    await h.heartbeat(agent, credential, false);
    expect(await shareHeard(h.core.ctx)).toBe(1);
    // Nothing new heard: no write, no observation.
    expect(await shareHeard(h.core.ctx)).toBe(0);
    const text = await scrape();
    expect(sample(text, 'apiary_controller_liveness_flush_duration_seconds_count')).toBe(1);
    expect(text).toContain('# TYPE apiary_controller_liveness_flush_duration_seconds histogram');
    expect(promtoolCheck(text)).toBe('');
  });
});
