import { describe, expect, it } from 'vitest';
import { touchesStatus } from '../../src/services/status-cache.js';

/* Which writes drop status's kept figures: those of the tables it counts, whatever their form. */
describe('touchesStatus', () => {
  it('sees writes of hosts, VMs, environments and images in every form the code sends', () => {
    for (const q of [
      'insert into "vms" ("id", "name") values ($1, $2)',
      'update "hosts" set "liveness" = $1 where "hosts"."id" = $2',
      'delete from "envs" where "envs"."id" = $1',
      'insert into "images" ("digest") values ($1) on conflict do nothing',
      'WITH d(id, cpu, mem, disk) AS (VALUES ($1, 1, 2, 3))\n    UPDATE hosts SET\n reserved_cpu = 1',
      'UPDATE vms SET state = $1',
    ]) {
      expect(touchesStatus(q), q).toBe(true);
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
      expect(touchesStatus(q), q).toBe(false);
    }
  });
});
