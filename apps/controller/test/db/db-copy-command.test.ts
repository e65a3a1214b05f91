import { join } from 'node:path';
import { startPostgres } from '@apiary/testkit';
import { tempDir } from '@apiary/testkit/test-temp';
import { describe, expect, it } from 'vitest';
import { runDbCopy } from '../../src/cli/db-copy-command.js';
import { openDatabase } from '../../src/db/database.js';

function capture() {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('apiary-controller db copy', () => {
  it('moves a SQLite file into an empty PostgreSQL database once, and refuses a second time', async () => {
    const cluster = await startPostgres();
    const file = join(tempDir('db-copy-'), 'controller.db');
    const source = await openDatabase({ engine: 'sqlite', file });
    await source.db.insert(source.t.orgs).values({ id: 'org_a', name: 'a', createdAt: 1 });
    await source.close();
    const target = cluster.database('moved');
    try {
      const out = capture();
      const err = capture();
      expect(await runDbCopy(['--from', `sqlite:${file}`, '--to', target], out, err)).toBe(0);
      expect(out.lines.join('')).toMatch(/^orgs\s+1$/m);
      expect(out.lines.join('')).toContain('copied 1 rows');
      const moved = await openDatabase({ engine: 'postgres', url: target });
      try {
        expect(await moved.db.select().from(moved.t.orgs)).toEqual([
          expect.objectContaining({ id: 'org_a', name: 'a' }),
        ]);
      } finally {
        await moved.close();
      }
      // Never merged into an installation that has rows.
      const again = capture();
      expect(await runDbCopy(['--from', `sqlite:${file}`, '--to', target], capture(), again)).toBe(
        1,
      );
      expect(again.lines.join('')).toContain('the target is not empty');
    } finally {
      await cluster.stop();
    }
  });

  it('refuses a password on the command line, and bad targets, before opening anything', async () => {
    const err = capture();
    const refused = ['--from', 'sqlite:/nonexistent/x.db', '--to', 'postgres://u:secret@db/apiary'];
    expect(await runDbCopy(refused, capture(), err)).toBe(2);
    expect(err.lines.join('')).toContain('no password on the command line');
    expect(err.lines.join('')).not.toContain('secret');
    expect(
      await runDbCopy(['--from', 'sqlite:/a.db', '--to', 'sqlite:/b.db'], capture(), capture()),
    ).toBe(2);
    expect(await runDbCopy(['--to', 'postgres://db/apiary'], capture(), capture())).toBe(2);
  });
});
