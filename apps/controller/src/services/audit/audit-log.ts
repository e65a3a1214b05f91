import type { AuditActorKind, AuditEvent, AuditOutcome, AuditQuery } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, count, desc, eq, gte, lt, or, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { insertStatement, param, statement } from '../../db/prepared-statement.js';
import { iso } from '../../lib/clock.js';
import { isSuperAdmin, type Principal } from '../auth/principal.js';

/*
 * The audit trail: one row per state-changing request and per background action. Recording
 * never fails the work it records: a write that fails is logged and counted, and the request
 * goes on (the database that refused the audit row would have refused the work's own writes).
 */

export interface AuditActor {
  kind: AuditActorKind;
  id: string | null;
  name: string;
  apiKeyId?: string | null;
}

export interface AuditEntry {
  orgId: string | null;
  actor: AuditActor;
  action: string;
  resource: { kind: string; id: string | null };
  outcome: AuditOutcome;
  errorCode?: string | null;
  requestId?: string | null;
  source?: string | null;
}

/** The controller's own passes, as actors. */
export const systemActor = (pass: 'reaper' | 'drain' | 'liveness'): AuditActor => ({
  kind: 'system',
  id: null,
  name: pass,
});

export function recordAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  return recordAudits(ctx, [entry]);
}

/* Written at every audited request: prepared once (db/prepared-statement.ts). */
const insertAudits = insertStatement('audit_events', (t) => t.auditEvents, [
  'id',
  'at',
  'orgId',
  'actorKind',
  'actorId',
  'actorName',
  'apiKeyId',
  'action',
  'resourceKind',
  'resourceId',
  'outcome',
  'errorCode',
  'requestId',
  'sourceAddr',
] as const);

const usernameOf = statement('username_of_user', (db, { users }) =>
  db
    .select({ name: users.username })
    .from(users)
    .where(eq(users.id, param('id'))),
);

/** Several records in one statement (a background pass's batch): written all, or none. */
export async function recordAudits(ctx: Ctx, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const at = ctx.clock.now();
  try {
    await insertAudits.run(
      ctx,
      entries.map((entry) => ({
        id: newId('aud'),
        at,
        orgId: entry.orgId,
        actorKind: entry.actor.kind,
        actorId: entry.actor.id,
        actorName: entry.actor.name,
        apiKeyId: entry.actor.apiKeyId ?? null,
        action: entry.action,
        resourceKind: entry.resource.kind,
        resourceId: entry.resource.id,
        outcome: entry.outcome,
        errorCode: entry.errorCode ?? null,
        requestId: entry.requestId ?? null,
        sourceAddr: entry.source ?? null,
      })),
    );
  } catch (error) {
    ctx.metrics.auditWriteFailures.inc(entries.length);
    ctx.log.error(
      { error, action: entries[0]?.action, records: entries.length },
      'audit record not written',
    );
  }
}

/** Who a user principal is, by name as it is now (kept in the row as it was then). */
export async function actorOf(ctx: Ctx, p: Principal): Promise<AuditActor> {
  if (p.via === 'localhost') return { kind: 'localhost', id: null, name: 'localhost' };
  const row = p.userId ? (await usernameOf.run(ctx, { id: p.userId }))[0] : undefined;
  return {
    kind: p.via === 'api_key' ? 'api_key' : 'user',
    id: p.userId,
    name: row?.name ?? p.userId ?? 'unknown',
    apiKeyId: p.apiKeyId,
  };
}

/** Newest first; members see their organization's entries, super-admins all (or `org`'s). */
export async function listAudit(ctx: Ctx, p: Principal, q: AuditQuery) {
  const a = ctx.t.auditEvents;
  const where: SQL[] = [];
  if (!isSuperAdmin(p)) where.push(eq(a.orgId, p.orgId ?? '__none__'));
  else if (q.org) where.push(eq(a.orgId, q.org));
  if (q.resource) {
    const [kind, ...rest] = q.resource.split(':');
    where.push(eq(a.resourceKind, kind as string));
    if (rest.length > 0) where.push(eq(a.resourceId, rest.join(':')));
  }
  if (q.actor) where.push(or(eq(a.actorName, q.actor), eq(a.actorId, q.actor)) as SQL);
  if (q.since !== undefined) where.push(gte(a.at, q.since));
  const filter = where.length > 0 ? and(...where) : undefined;
  const [rows, total] = await Promise.all([
    ctx.db
      .select()
      .from(a)
      .where(filter)
      .orderBy(desc(a.at), desc(a.id))
      .limit(q.limit)
      .offset(q.offset),
    ctx.db.select({ n: count() }).from(a).where(filter),
  ]);
  return {
    items: rows.map(auditView),
    total: Number(total[0]?.n ?? 0),
    limit: q.limit,
    offset: q.offset,
  };
}

type AuditRow = Ctx['t']['auditEvents']['$inferSelect'];

function auditView(r: AuditRow): AuditEvent {
  return {
    id: r.id,
    at: iso(r.at),
    org_id: r.orgId,
    actor: { kind: r.actorKind, id: r.actorId, name: r.actorName, api_key_id: r.apiKeyId },
    action: r.action,
    resource: { kind: r.resourceKind, id: r.resourceId },
    outcome: r.outcome,
    error_code: r.errorCode,
    request_id: r.requestId,
    source: r.sourceAddr,
  };
}

/** Drops entries older than the retention; returns how many went. */
export async function pruneAudit(ctx: Ctx, retentionDays: number): Promise<number> {
  const a = ctx.t.auditEvents;
  const before = ctx.clock.now() - retentionDays * 86_400_000;
  const gone = await ctx.db.delete(a).where(lt(a.at, before)).returning({ id: a.id });
  return gone.length;
}
