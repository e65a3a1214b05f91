import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresBin, startPostgres } from '../src/postgres.js';

describe('startPostgres', () => {
  it('runs a private cluster on a Unix socket in its own directory and removes it on stop', async () => {
    const cluster = await startPostgres();
    try {
      expect(cluster.url).toContain(encodeURIComponent(cluster.dir));
      const url = new URL(cluster.database('apiary_probe'));
      const out = execFileSync(
        join(postgresBin(), 'psql'),
        ['-h', cluster.dir, '-U', 'apiary', '-d', 'apiary_probe', '-Atc', 'select 40 + 2'],
        { encoding: 'utf8' },
      );
      expect(out.trim()).toBe('42');
      expect(url.pathname).toBe('/apiary_probe');
      // No TCP listener: the machine's own cluster (or another test's) cannot be reached or hit.
      expect(existsSync(join(cluster.dir, '.s.PGSQL.5432'))).toBe(true);
    } finally {
      await cluster.stop();
    }
    expect(existsSync(cluster.dir)).toBe(false);
  }, 60_000);
});
