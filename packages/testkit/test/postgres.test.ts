import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresBin, startPostgres } from '../src/postgres.js';
import { tempDir } from '../src/test-temp.js';

function psql(dir: string, database: string, sql: string): string {
  return execFileSync(
    join(postgresBin(), 'psql'),
    ['-h', dir, '-U', 'apiary', '-d', database, '-Atqc', sql],
    { encoding: 'utf8' },
  ).trim();
}

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

  it('keeps a cluster made in `dir` across stops and starts it again on its data', async () => {
    const dir = join(tempDir('pg-kept'), 'postgres');
    const first = await startPostgres({ dir });
    try {
      expect(first.dir).toBe(dir);
      first.database('apiary_kept');
      psql(dir, 'apiary_kept', 'CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)');
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dir, 'data', 'PG_VERSION'))).toBe(true);
    const again = await startPostgres({ dir });
    try {
      // The database exists already: asking for it again is not an error.
      expect(new URL(again.database('apiary_kept')).pathname).toBe('/apiary_kept');
      expect(psql(dir, 'apiary_kept', 'SELECT v FROM kept')).toBe('7');
    } finally {
      await again.stop();
    }
  }, 60_000);
});
