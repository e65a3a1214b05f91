import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import {
  attributeHostWrite,
  type HostWrite,
  placementColumns,
} from '../../src/services/placement/host-writes.js';
import { openTestDatabase } from '../helpers/test-db.js';

/*
 * The statements the services send, built by drizzle for the engine under test (SQLite's `?`,
 * PostgreSQL's `$n`), attributed to the hosts they can change as far as placement reads them.
 */

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

function attribute(built: { toSQL(): { sql: string; params: unknown[] } }): HostWrite {
  const { sql: text, params } = built.toSQL();
  return attributeHostWrite(text, params, placementColumns(database.t.hosts));
}

const newHost = (id: string) => ({
  id,
  hostname: `${id}.example`,
  addr: 'https://10.0.0.1:7443',
  publicAddr: '10.0.0.1',
  source: 'added' as const,
  liveness: 'ready' as const,
  policy: 'eligible' as const,
  engines: ['bhyve'],
  storage: 'zvol' as const,
  agentVersion: '1',
  apiVersion: '1',
  registeredAt: 1,
  updatedAt: 1,
});

describe('which hosts a write may change for placement', () => {
  it('reads the columns placement uses from the candidate columns themselves', () => {
    const cols = placementColumns(database.t.hosts);
    for (const c of ['liveness', 'policy', 'org_id', 'usage', 'total_mem', 'reserved_mem']) {
      expect(cols.has(c)).toBe(true);
    }
    expect(cols.has('foreign_disk')).toBe(true);
    for (const c of ['credential_hash', 'last_heartbeat_at', 'used_cpu', 'updated_at']) {
      expect(cols.has(c)).toBe(false);
    }
  });

  it('names the one host of a usage summary, a liveness transition, a policy change', () => {
    const { db, t } = database;
    const usage = db.update(t.hosts).set({ usage: null }).where(eq(t.hosts.id, 'host_a'));
    expect(attribute(usage)).toEqual({ kind: 'hosts', ids: ['host_a'] });
    const liveness = db
      .update(t.hosts)
      .set({ liveness: 'down', lastHeartbeatAt: 5, updatedAt: 6 })
      .where(eq(t.hosts.id, 'host_b'))
      .returning({ orgId: t.hosts.orgId });
    expect(attribute(liveness)).toEqual({ kind: 'hosts', ids: ['host_b'] });
    const conditional = db
      .update(t.hosts)
      .set({ policy: 'eligible' })
      .where(and(eq(t.hosts.id, 'host_c'), eq(t.hosts.policy, 'draining')));
    expect(attribute(conditional)).toEqual({ kind: 'hosts', ids: ['host_c'] });
    const several = db
      .update(t.hosts)
      .set({ policy: 'maintenance' })
      .where(inArray(t.hosts.id, ['host_d', 'host_e']));
    expect(attribute(several)).toEqual({ kind: 'hosts', ids: ['host_d', 'host_e'] });
  });

  it('ignores writes of columns placement does not read', () => {
    const { db, t } = database;
    const rotation = db
      .update(t.hosts)
      .set({ credentialRotateAt: 5, nextCredentialHash: 'x', updatedAt: 5 })
      .where(eq(t.hosts.id, 'host_a'));
    expect(attribute(rotation)).toEqual({ kind: 'none' });
    const heard = sql`(CASE ${t.hosts.id} WHEN ${'host_a'} THEN CAST(${5} AS BIGINT) END)`;
    const heartbeats = db
      .update(t.hosts)
      .set({ lastHeartbeatAt: sql`CASE WHEN ${t.hosts.lastHeartbeatAt} IS NULL THEN ${heard} END` })
      .where(inArray(t.hosts.id, ['host_a', 'host_b']));
    expect(attribute(heartbeats)).toEqual({ kind: 'none' });
    const other = db.update(t.vms).set({ state: 'running' }).where(eq(t.vms.id, 'vm_a'));
    expect(attribute(other)).toEqual({ kind: 'none' });
  });

  it('falls back to every host when the rows are not bounded by ids', () => {
    const { db, t } = database;
    expect(attribute(db.update(t.hosts).set({ policy: 'eligible' }))).toEqual({ kind: 'all' });
    const byPolicy = db
      .update(t.hosts)
      .set({ policy: 'eligible' })
      .where(eq(t.hosts.policy, 'draining'));
    expect(attribute(byPolicy)).toEqual({ kind: 'all' });
    const either = db
      .update(t.hosts)
      .set({ policy: 'eligible' })
      .where(or(eq(t.hosts.id, 'host_a'), eq(t.hosts.policy, 'draining')));
    expect(attribute(either)).toEqual({ kind: 'all' });
    // Written out (not drizzle's parentheses): AND binds first, so the OR reaches other hosts.
    const loose =
      'update "hosts" set "policy" = $1 where "hosts"."id" = $2 and "hosts"."policy" = $3 or "hosts"."policy" = $4';
    const relevant = placementColumns(t.hosts);
    expect(
      attributeHostWrite(loose, ['eligible', 'host_a', 'draining', 'maintenance'], relevant),
    ).toEqual({ kind: 'all' });
    const byDigest = db.delete(t.hostImages).where(eq(t.hostImages.digest, 'sha256:aa'));
    expect(attribute(byDigest)).toEqual({ kind: 'all' });
    const upsertOnName = db
      .insert(t.hosts)
      .values(newHost('host_a'))
      .onConflictDoUpdate({ target: t.hosts.hostname, set: { policy: 'eligible' } });
    expect(attribute(upsertOnName)).toEqual({ kind: 'all' });
  });

  it('names the hosts of inserts and deletes of hosts and their images', () => {
    const { db, t } = database;
    expect(attribute(db.insert(t.hosts).values(newHost('host_new')))).toEqual({
      kind: 'hosts',
      ids: ['host_new'],
    });
    expect(attribute(db.delete(t.hosts).where(eq(t.hosts.id, 'host_gone')))).toEqual({
      kind: 'hosts',
      ids: ['host_gone'],
    });
    const images = db
      .insert(t.hostImages)
      .values([
        { hostId: 'host_a', digest: 'sha256:aa' },
        { hostId: 'host_b', digest: 'sha256:bb' },
      ])
      .onConflictDoNothing();
    expect(attribute(images)).toEqual({ kind: 'hosts', ids: ['host_a', 'host_b'] });
    const gone = db
      .delete(t.hostImages)
      .where(
        and(eq(t.hostImages.hostId, 'host_c'), inArray(t.hostImages.digest, ['sha256:aa', 'x'])),
      );
    expect(attribute(gone)).toEqual({ kind: 'hosts', ids: ['host_c'] });
  });
});

describe('before the placement columns are known', () => {
  it('counts every column as read by placement', () => {
    const { db, t } = database;
    const { sql: text, params } = db
      .update(t.hosts)
      .set({ credentialRotateAt: 5 })
      .where(eq(t.hosts.id, 'host_a'))
      .toSQL();
    expect(attributeHostWrite(text, params, null)).toEqual({ kind: 'hosts', ids: ['host_a'] });
  });
});
