import type { HostCredential } from '@apiary/protocol';
import { eq, or } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { isoOrNull } from '../../lib/clock.js';
import { newSecret, secretMatches, secretPrefix } from '../../lib/secrets.js';
import type { HostRow } from './host-view.js';
import { getHostRow } from './host-view.js';
import type { CredentialHashes, CredentialMatch } from './liveness-tracker.js';

/*
 * A host's credential (`aph_...`) is the one thing that proves an agent is the host it says it
 * is: a license key lets an agent register a host id once, never take an existing one over.
 * Rotation hands a new credential over in a heartbeat answer and keeps the old one working until
 * the agent uses the new one, so no moment exists in which the host is locked out.
 */

type CredentialColumns = Pick<
  HostRow,
  'credentialHash' | 'nextCredentialHash' | 'credentialRotateAt' | 'reregisterUntil' | 'source'
>;

export function credentialHashesOf(
  row: Pick<HostRow, 'credentialHash' | 'nextCredentialHash' | 'credentialRotateAt'>,
): CredentialHashes {
  return {
    current: row.credentialHash,
    next: row.nextCredentialHash,
    rotate: row.credentialRotateAt !== null,
  };
}

/** Whether a re-registration without a credential is open (an operator's reset, not expired). */
export function reregistrationOpen(row: CredentialColumns, now: number): boolean {
  return row.reregisterUntil !== null && row.reregisterUntil > now;
}

export function credentialView(row: CredentialColumns, now: number): HostCredential {
  const open = reregistrationOpen(row, now);
  let state: HostCredential['state'];
  if (open) state = 'awaiting_registration';
  else if (row.credentialHash === null) state = row.source === 'added' ? 'none' : 'revoked';
  else if (row.credentialRotateAt !== null) state = 'rotating';
  else state = 'active';
  return { state, reregister_until: open ? isoOrNull(row.reregisterUntil) : null };
}

/** Which of the host's credentials `token` is, if any (constant-time comparisons). */
export function matchCredential(row: CredentialColumns, token: string): CredentialMatch | null {
  if (row.credentialHash && secretMatches(token, row.credentialHash)) return 'current';
  if (row.nextCredentialHash && secretMatches(token, row.nextCredentialHash)) return 'next';
  return null;
}

/** The host whose credential (current, or rotated and not yet used) this is. */
export async function findHostByCredential(
  ctx: Ctx,
  token: string,
): Promise<{ host: HostRow; match: CredentialMatch } | undefined> {
  const { hosts } = ctx.t;
  if (!token.startsWith('aph_')) return undefined;
  const prefix = secretPrefix(token);
  const rows = await ctx.db
    .select()
    .from(hosts)
    .where(or(eq(hosts.credentialPrefix, prefix), eq(hosts.nextCredentialPrefix, prefix)));
  for (const host of rows) {
    const match = matchCredential(host, token);
    if (match) return { host, match };
  }
  return undefined;
}

/**
 * Brings this controller's copy of a host (the liveness tracker's, which heartbeats are checked
 * against) up to the database: another controller may have registered the host, rotated its
 * credential or revoked it since. Returns false when the host is not in the database.
 */
export async function reloadHost(ctx: Ctx, hostId: string): Promise<boolean> {
  const row = await getHostRow(ctx, hostId);
  if (!row) return false;
  if (ctx.liveness.has(hostId)) ctx.liveness.setCredentials(hostId, credentialHashesOf(row));
  else ctx.liveness.load([row]);
  return true;
}

/** Writes a host's credential columns and keeps the liveness tracker's copy in step. */
export async function storeCredentials(
  ctx: Ctx,
  hostId: string,
  patch: Partial<
    Pick<
      HostRow,
      | 'credentialPrefix'
      | 'credentialHash'
      | 'nextCredentialPrefix'
      | 'nextCredentialHash'
      | 'credentialRotateAt'
      | 'reregisterUntil'
    >
  >,
): Promise<HostRow | undefined> {
  const { hosts } = ctx.t;
  await ctx.db
    .update(hosts)
    .set({ ...patch, updatedAt: ctx.clock.now() })
    .where(eq(hosts.id, hostId));
  const row = await getHostRow(ctx, hostId);
  if (row) ctx.liveness.setCredentials(hostId, credentialHashesOf(row));
  return row;
}

/** The agent used its rotated credential: it becomes the credential, the old one stops. */
export async function promoteNextCredential(ctx: Ctx, hostId: string): Promise<void> {
  const row = await getHostRow(ctx, hostId);
  if (!row?.nextCredentialHash) return;
  await storeCredentials(ctx, hostId, {
    credentialPrefix: row.nextCredentialPrefix,
    credentialHash: row.nextCredentialHash,
    nextCredentialPrefix: null,
    nextCredentialHash: null,
    credentialRotateAt: null,
  });
  ctx.log.info({ host_id: hostId }, 'host credential rotated');
}

/**
 * Mints the rotated credential for a heartbeat answer. A fresh one each time until the agent
 * uses one: an answer lost in transit costs nothing, the old credential still works.
 */
export async function issueRotatedCredential(ctx: Ctx, hostId: string): Promise<string> {
  const next = newSecret('aph');
  await storeCredentials(ctx, hostId, {
    nextCredentialPrefix: next.prefix,
    nextCredentialHash: next.hash,
  });
  return next.secret;
}
