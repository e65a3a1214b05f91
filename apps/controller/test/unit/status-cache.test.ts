import { describe, expect, it } from 'vitest';
import {
  COUNTED_TABLES,
  StatusCache,
  statusChanged,
  tablesOfNotice,
  tableWritten,
} from '../../src/services/status-cache.js';

/* Which writes drop status's kept figures: those of the tables it counts, whatever their form. */
describe('tableWritten', () => {
  it('names the counted table of writes of hosts, VMs, environments and images in every form', () => {
    for (const [q, table] of [
      ['insert into "vms" ("id", "name") values ($1, $2)', 'vms'],
      ['update "hosts" set "liveness" = $1 where "hosts"."id" = $2', 'hosts'],
      ['delete from "envs" where "envs"."id" = $1', 'envs'],
      ['insert into "images" ("digest") values ($1) on conflict do nothing', 'images'],
      [
        'WITH d(id, cpu, mem, disk) AS (VALUES ($1, 1, 2, 3))\n    UPDATE hosts SET\n x = 1',
        'hosts',
      ],
      ['UPDATE vms SET state = $1', 'vms'],
    ] as const) {
      expect(tableWritten(q), q).toBe(table);
    }
  });

  it('leaves the figures alone for other tables, including ones whose names contain a counted one', () => {
    for (const q of [
      'update "leases" set "expires_at" = $1 where "leases"."name" = $2',
      'insert into "audit" ("id") values ($1)',
      'update "api_keys" set "last_used_at" = $1',
      'insert into "host_images" ("host_id", "digest") values ($1, $2)',
      'delete from "vms_history" where 1',
      'update "envs_archive" set x = 1',
    ]) {
      expect(tableWritten(q), q).toBeUndefined();
    }
  });
});

describe('tablesOfNotice', () => {
  it("reads the change feed's table, and an older controller's notice as every table", () => {
    for (const t of COUNTED_TABLES) expect(tablesOfNotice(statusChanged(t))).toEqual([t]);
    expect(tablesOfNotice('{"status_changed":true}')).toEqual(COUNTED_TABLES);
    expect(tablesOfNotice('{"hosts_changed":true}')).toEqual([]);
  });
});

/* The parts of the figures: each read again after a change of the tables it counts, only. */
describe('StatusCache', () => {
  it('reads a part again after a change of one of its tables, and keeps the others', async () => {
    const cache = new StatusCache();
    let reads = 0;
    const read = async () => ++reads;
    const vms = () => cache.get('vms', ['vms', 'hosts'], read);
    const envs = () => cache.get('envs', ['envs'], read);
    expect([await vms(), await envs()]).toEqual([1, 2]);
    expect([await vms(), await envs()]).toEqual([1, 2]);
    cache.invalidate(['vms']);
    expect([await vms(), await envs()]).toEqual([3, 2]);
    cache.invalidate(['hosts']);
    expect([await vms(), await envs()]).toEqual([4, 2]);
    cache.invalidate();
    expect([await vms(), await envs()]).toEqual([5, 6]);
  });

  it('does not keep a read that started before a change of its tables', async () => {
    const cache = new StatusCache();
    let release: (n: number) => void = () => {};
    const slow = cache.get('vms', ['vms'], () => new Promise<number>((r) => (release = r)));
    cache.invalidate(['vms']);
    const fresh = cache.get('vms', ['vms'], async () => 2);
    release(1);
    expect(await slow).toBe(1);
    expect(await fresh).toBe(2);
    expect(await cache.get('vms', ['vms'], async () => 3)).toBe(2);
  });
});
