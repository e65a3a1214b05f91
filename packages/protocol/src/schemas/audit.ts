import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { Pagination, Timestamp } from './common.js';

/*
 * The audit trail (`GET /v1/audit`): who created, changed, drained or deleted what, from where,
 * and how it ended. Request bodies are never kept: an entry names its resource, not its content.
 */

export const AuditActorKind = z.enum(['user', 'api_key', 'localhost', 'host', 'system']);
export type AuditActorKind = z.infer<typeof AuditActorKind>;

export const AuditOutcome = z.enum(['succeeded', 'accepted', 'failed']);
export type AuditOutcome = z.infer<typeof AuditOutcome>;

export const AuditEvent = z.object({
  id: z.string(),
  at: Timestamp,
  org_id: z.string().nullable(),
  actor: z.object({
    kind: AuditActorKind,
    /** User id, host id, or null for the controller's own passes. */
    id: z.string().nullable(),
    /** Username, hostname, or the pass (`reaper`, `drain`, `liveness`). */
    name: z.string(),
    /** The API key the user acted with, if any. */
    api_key_id: z.string().nullable(),
  }),
  /** The API operation (`createEnv`, `drainHost`) or background action (`liveness.down`). */
  action: z.string(),
  resource: z.object({ kind: z.string(), id: z.string().nullable() }),
  /** `accepted`: a 202, the work goes on in the background (its end is an entry of its own). */
  outcome: AuditOutcome,
  error_code: z.string().nullable(),
  request_id: z.string().nullable(),
  /** The caller's address as the controller saw it. */
  source: z.string().nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

/** `since`: an ISO timestamp, or how long ago (`90m`, `2d`). */
const Since = z
  .string()
  .max(64)
  .transform((text, ctx) => {
    const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Date.now() - parseSince(text);
    if (!Number.isFinite(at)) {
      ctx.addIssue({ code: 'custom', message: 'an ISO time or a duration like 90m or 2d' });
      return z.NEVER;
    }
    return at;
  });

function parseSince(text: string): number {
  try {
    return parseDuration(text) * 1000;
  } catch {
    return Number.NaN;
  }
}

export const AuditQuery = Pagination.extend({
  /** `env`, or `env:<id>`: one kind of resource, or one resource. */
  resource: z
    .string()
    .regex(/^[a-z_]{1,32}(:[A-Za-z0-9._:-]{1,128})?$/, 'a kind (env) or kind:id (env:env_123)')
    .optional(),
  /** A username, hostname or pass name, or an actor id. */
  actor: z.string().min(1).max(128).optional(),
  since: Since.optional(),
  /** Super-admins: one organization's entries (by id). */
  org: z.string().min(1).max(64).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
