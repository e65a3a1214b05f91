import { ApiError, type Host, type HostTls } from '@apiary/protocol';
import type { CertificateMismatchError } from '@apiary/server-kit';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { type Principal, requireRole } from '../auth/principal.js';
import { getHostRow, getHostView, getVisibleHost, type HostRow } from './host-view.js';

/*
 * Each `https://` agent's certificate is pinned by its SHA-256 fingerprint: when the agent
 * registers (it reports the fingerprint over the link it opened to this controller, itself
 * checked against the controller's certificate) or when an operator adds it by address with
 * the fingerprint a connection test showed. Afterwards another certificate is refused (before
 * anything is sent: no agent key, no console) and recorded as "certificate changed" on the
 * host, until an operator accepts it.
 */

type TlsColumns = Pick<HostRow, 'tlsFingerprint' | 'tlsPresentedFingerprint'>;

/** The pin columns after a registration from `addr` reporting `reported`. */
export function pinAtRegistration(
  existing: TlsColumns | undefined,
  addr: string,
  reported: string | undefined,
): TlsColumns {
  const pinned = existing?.tlsFingerprint ?? null;
  if (!addr.startsWith('https:') || !reported) {
    return {
      tlsFingerprint: pinned,
      tlsPresentedFingerprint: existing?.tlsPresentedFingerprint ?? null,
    };
  }
  // First pin; or the pinned certificate is back.
  if (pinned === null || pinned === reported) {
    return { tlsFingerprint: reported, tlsPresentedFingerprint: null };
  }
  // A new certificate does not replace the pin by registering: an operator accepts it.
  return { tlsFingerprint: pinned, tlsPresentedFingerprint: reported };
}

/** Records that the agent presented another certificate (from a refused connection). */
export async function markCertificateChanged(
  ctx: Ctx,
  hostId: string,
  mismatch: CertificateMismatchError,
): Promise<void> {
  const { hosts } = ctx.t;
  const presented = mismatch.presented ?? 'no certificate';
  const row = await getHostRow(ctx, hostId);
  if (!row || row.tlsPresentedFingerprint === presented) return;
  await ctx.db
    .update(hosts)
    .set({ tlsPresentedFingerprint: presented, updatedAt: ctx.clock.now() })
    .where(and(eq(hosts.id, hostId), isNotNull(hosts.tlsFingerprint)));
  ctx.log.warn(
    { host_id: hostId, pinned: mismatch.expected, presented },
    'host certificate changed: refusing the agent until an operator accepts the new certificate',
  );
  ctx.events.publish({ type: 'host.updated', orgId: row.orgId, data: { id: hostId } });
}

/**
 * `POST /v1/hosts/{id}/accept-certificate`: the presented certificate becomes the pin. The
 * operator names the fingerprint they checked, so what is accepted is what they saw.
 */
export async function acceptHostCertificate(
  ctx: Ctx,
  p: Principal,
  id: string,
  fingerprint: string,
): Promise<Host> {
  const { hosts } = ctx.t;
  requireRole(p, 'org_admin', "accepting a host's certificate");
  const row = await getVisibleHost(ctx, p, id);
  if (row.tlsPresentedFingerprint === null && row.tlsFingerprint === fingerprint) {
    return getHostView(ctx, p, id);
  }
  if (row.tlsPresentedFingerprint !== fingerprint) {
    throw new ApiError(
      'conflict',
      row.tlsPresentedFingerprint
        ? `host ${id} presents ${row.tlsPresentedFingerprint}, not ${fingerprint}`
        : `host ${id} presents no new certificate (its pinned one is ${row.tlsFingerprint ?? 'none'})`,
    );
  }
  await ctx.db
    .update(hosts)
    .set({ tlsFingerprint: fingerprint, tlsPresentedFingerprint: null, updatedAt: ctx.clock.now() })
    .where(and(eq(hosts.id, id), eq(hosts.tlsPresentedFingerprint, fingerprint)));
  ctx.log.info(
    { host_id: id, previous: row.tlsFingerprint, fingerprint },
    'host certificate accepted',
  );
  ctx.events.publish({ type: 'host.updated', orgId: row.orgId, data: { id } });
  return getHostView(ctx, p, id);
}

export function hostTlsView(h: HostRow): HostTls {
  const state = !h.addr.startsWith('https:')
    ? 'plain_http'
    : h.tlsPresentedFingerprint
      ? 'certificate_changed'
      : h.tlsFingerprint
        ? 'pinned'
        : 'unpinned';
  return {
    state,
    fingerprint: h.tlsFingerprint,
    presented_fingerprint: h.tlsPresentedFingerprint,
  };
}
