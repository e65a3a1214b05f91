import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { tempDir } from '../helpers/temp.js';

/*
 * An installation from before environment names keeps its environments: their ids were their
 * names, and become their names; their VMs keep their ids, which are zone names on the hosts.
 */

const MIGRATIONS = fileURLToPath(new URL('../../drizzle/sqlite', import.meta.url));
const BEFORE_NAMES = '0001_placement_index';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The migrations folder as it was up to `last`. */
function migrationsUpTo(last: string): string {
  const out = join(dir as string, 'drizzle-old');
  mkdirSync(join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8'));
  const end = journal.entries.findIndex((e: { tag: string }) => e.tag === last);
  journal.entries = journal.entries.slice(0, end + 1);
  for (const e of journal.entries)
    cpSync(join(MIGRATIONS, `${e.tag}.sql`), join(out, `${e.tag}.sql`));
  writeFileSync(join(out, 'meta', '_journal.json'), JSON.stringify(journal));
  return out;
}

describe('migrating to per-organization names', () => {
  it('names every existing environment and VM by its old id', async () => {
    dir = tempDir('migrate');
    const file = join(dir, 'controller.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsUpTo(BEFORE_NAMES) });
    const now = Date.now();
    old.prepare("INSERT INTO orgs (id, name, created_at) VALUES ('org_a', 'A', ?)").run(now);
    old
      .prepare(
        `INSERT INTO envs (id, org_id, state, ssh_keys, lifetime, on_failure, created_at, expires_at, updated_at)
       VALUES ('web', 'org_a', 'active', '[]', 3600, 'rollback', ?, ?, ?)`,
      )
      .run(now, now + 3_600_000, now);
    old
      .prepare(
        `INSERT INTO vms (id, env_id, idx, org_id, image, engine, cpu, mem, disk, ports, deny_outgoing,
         state, port_map, created_at, updated_at)
       VALUES ('web-0', 'web', 0, 'org_a', 'img', 'bhyve', 1, 512, 2048, '[22]', 0, 'running', '{}', ?, ?)`,
      )
      .run(now, now);
    old.close();

    // The controller's own path from here (migrate-sqlite.ts), on a file drizzle's migrator began.
    const opened = await openDatabase({ engine: 'sqlite', file });
    try {
      expect(opened.migrations.applied[0]).toBe('0002_host_identity_key_scopes');
      const env = await opened.db.select().from(opened.t.envs);
      expect(env.map((e) => [e.id, e.name, e.orgId])).toEqual([['web', 'web', 'org_a']]);
      const vm = await opened.db.select().from(opened.t.vms);
      expect(vm.map((v) => [v.id, v.name, v.envId])).toEqual([['web-0', 'web-0', 'web']]);
    } finally {
      await opened.close();
    }
  });
});
