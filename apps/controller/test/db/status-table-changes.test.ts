import { findMigrationsFolder } from '@apiary/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEngine } from '../../src/db/sqlite-engine.js';
import { StatusCache } from '../../src/services/status-cache.js';

/*
 * SQLite: writes the controller did not send through drizzle (another process on the file) still
 * drop status's kept parts of the table written, through the triggers of migration
 * status_table_changes. The raw connection here stands in for the other process: its writes
 * pass no `onWrite` listener either.
 */
let engine: ReturnType<typeof openSqliteEngine> | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

const open = () => {
  engine = openSqliteEngine(':memory:', findMigrationsFolder(import.meta.url, 'drizzle/sqlite'));
  return engine;
};

const addImage = (e: ReturnType<typeof open>, id: string) =>
  e.sqlite
    .prepare(
      "INSERT INTO images (id, digest, name, format, size, created_at) VALUES (?, ?, 'img', 'raw', 1, 1)",
    )
    .run(id, `sha256:${id}`);

describe('status_table_changes', () => {
  it("moves the written table's number on every insert, update and delete, and no other", () => {
    const e = open();
    const counts = () => Object.fromEntries(e.tableChanges().map((r) => [r.tbl, r.n]));
    expect(counts()).toEqual({ hosts: 0, vms: 0, envs: 0, images: 0 });
    addImage(e, 'a');
    e.sqlite.prepare("UPDATE images SET name = 'b' WHERE id = 'a'").run();
    e.sqlite.prepare("DELETE FROM images WHERE id = 'a'").run();
    e.sqlite.prepare("INSERT INTO orgs (id, name, created_at) VALUES ('o1', 'one', 1)").run();
    expect(counts()).toEqual({ hosts: 0, vms: 0, envs: 0, images: 3 });
  });

  it("drops the kept parts of a table another connection wrote, and keeps the others'", async () => {
    const e = open();
    const kept = new StatusCache(undefined, e.tableChanges);
    const images = () =>
      kept.get('images', ['images'], async () =>
        Number(e.sqlite.prepare('SELECT count(*) FROM images').pluck().get()),
      );
    let hostReads = 0;
    const hosts = () => kept.get('hosts', ['hosts'], async () => ++hostReads);
    expect([await images(), await hosts()]).toEqual([0, 1]);
    addImage(e, 'a');
    expect([await images(), await hosts()]).toEqual([1, 1]);
    addImage(e, 'b');
    expect([await images(), await hosts()]).toEqual([2, 1]);
  });
});
