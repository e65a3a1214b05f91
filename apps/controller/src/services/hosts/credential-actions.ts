import { ApiError, type Host } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { type Principal, requireRole } from '../auth/principal.js';
import { storeCredentials } from './host-credential.js';
import { getHostView, getVisibleHost, type HostRow } from './host-view.js';

/*
 * What an operator (an org admin of the host's organization, or a super-admin) does with a
 * host's credential: rotate it without downtime, revoke it at once, or reset it so that the
 * host can register again after losing its credential (data dir lost, database restored).
 */

async function managedHost(ctx: Ctx, p: Principal, id: string, action: string): Promise<HostRow> {
  requireRole(p, 'org_admin', action);
  return await getVisibleHost(ctx, p, id);
}

/** The next heartbeat carries a new credential; the old one works until the agent uses it. */
export async function rotateHostCredential(ctx: Ctx, p: Principal, id: string): Promise<Host> {
  const row = await managedHost(ctx, p, id, "rotating a host's credential");
  if (row.credentialHash === null) {
    throw new ApiError(
      'conflict',
      row.source === 'added'
        ? `host ${id} was added by address and holds no credential`
        : `host ${id} has no credential to rotate (revoked); reset it instead`,
    );
  }
  await storeCredentials(ctx, id, { credentialRotateAt: ctx.clock.now() });
  ctx.log.info({ host_id: id, by: p.userId }, 'host credential rotation requested');
  return getHostView(ctx, p, id);
}

/**
 * Every credential of the host stops working now: heartbeats, image pulls and registration
 * are refused until an operator resets it. Its VMs stay; it goes down by silence.
 */
export async function revokeHostCredential(ctx: Ctx, p: Principal, id: string): Promise<Host> {
  await managedHost(ctx, p, id, "revoking a host's credential");
  await storeCredentials(ctx, id, { ...NO_CREDENTIAL, reregisterUntil: null });
  ctx.log.warn({ host_id: id, by: p.userId }, 'host credential revoked');
  return getHostView(ctx, p, id);
}

/**
 * Revokes the credential and accepts one registration with a license key of the host's
 * organization, without a credential, until `expiresIn` seconds from now. The way back for an
 * agent that lost its credential, or whose credential the controller no longer knows.
 */
export async function resetHostCredential(
  ctx: Ctx,
  p: Principal,
  id: string,
  expiresIn: number,
): Promise<Host> {
  const row = await managedHost(ctx, p, id, "resetting a host's credential");
  if (row.orgId === null) {
    // No license key may claim a host of no organization (each belongs to one).
    throw new ApiError(
      'conflict',
      `host ${id} belongs to no organization: assign it to one first (apiary hosts assign ${id} --org ORG)`,
    );
  }
  const until = ctx.clock.now() + expiresIn * 1000;
  await storeCredentials(ctx, id, { ...NO_CREDENTIAL, reregisterUntil: until });
  ctx.log.warn(
    { host_id: id, by: p.userId, until: new Date(until).toISOString() },
    'host credential reset; the next registration is accepted',
  );
  return getHostView(ctx, p, id);
}

const NO_CREDENTIAL = {
  credentialPrefix: null,
  credentialHash: null,
  nextCredentialPrefix: null,
  nextCredentialHash: null,
  credentialRotateAt: null,
} as const;
