import {
  API_VERSION,
  ApiError,
  isCompatibleApiVersion,
  type RegisterHostReq,
  type RegisterHostResp,
} from '@apiary/protocol';
import { and, eq, isNull, type SQLWrapper } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { type NewSecret, newSecret } from '../../lib/secrets.js';
import { CONTROLLER_VERSION } from '../../version.js';
import type { LicenseKeyRow } from '../auth/license-keys.js';
import { applyInventory, publishVmChanges, type VmChange } from './apply-inventory.js';
import { pinAtRegistration } from './host-certificate.js';
import {
  credentialHashesOf,
  promoteNextCredential,
  reregistrationOpen,
} from './host-credential.js';
import type { HostRow } from './host-view.js';
import { getHostRow } from './host-view.js';
import type { CredentialMatch } from './liveness-tracker.js';
import { persistTransitions } from './persist-liveness.js';

/**
 * A registration: the license key that lets the agent in, and the host credential it presented
 * (`X-Apiary-Host-Credential`), both resolved before the body is read. Which host id the
 * credential must belong to is in the body: the registration checks it.
 */
export interface RegistrationPrincipal {
  license: LicenseKeyRow;
  /** null: none presented; `invalid`: presented, but no host's credential. */
  presented: { host: HostRow; match: CredentialMatch; token: string } | 'invalid' | null;
}

/**
 * Agent self-registration. A license key creates a host id once; registering an id the
 * controller knows again (agent restart, new address) needs that host's own credential, or an
 * operator's reset (`reset-credential`) that opened one registration for the host's
 * organization. Only then are the address, the agent key and the inventory believed.
 */
export async function registerHost(
  ctx: Ctx,
  { license, presented }: RegistrationPrincipal,
  req: RegisterHostReq,
): Promise<RegisterHostResp> {
  if (!isCompatibleApiVersion(req.api_version)) {
    throw new ApiError(
      'precondition_failed',
      `agent speaks API ${req.api_version}; this controller speaks ${API_VERSION}`,
    );
  }
  const now = ctx.clock.now();
  const existing = await getHostRow(ctx, req.host_id);
  const proof = existing ? proveIdentity(ctx, existing, license.orgId, presented, now) : null;
  // The presented credential is kept (nothing to lose if this answer is lost); otherwise new.
  const fresh = proof?.keep ? null : newSecret('aph');
  const changes = await saveRegistration(ctx, req, license, existing, fresh, now);
  if (proof?.keep === 'next') await promoteNextCredential(ctx, req.host_id);
  const row = (await getHostRow(ctx, req.host_id)) as HostRow;
  const transition = ctx.liveness.track(
    req.host_id,
    credentialHashesOf(row),
    req.inventory.generation,
  );
  if (transition) await persistTransitions(ctx, [transition]);
  publishVmChanges(ctx, req.host_id, changes);
  ctx.metrics.heartbeats.inc({ result: 'registered' });
  ctx.log.info(
    { host_id: req.host_id, hostname: req.hostname, addr: row.addr, proof: proof?.by ?? 'new' },
    existing ? 'host re-registered' : 'host registered',
  );
  if (
    row.tlsPresentedFingerprint &&
    row.tlsPresentedFingerprint !== existing?.tlsPresentedFingerprint
  ) {
    ctx.log.warn(
      { host_id: req.host_id, pinned: row.tlsFingerprint, presented: row.tlsPresentedFingerprint },
      'host certificate changed: refusing the agent until an operator accepts the new certificate',
    );
  }
  ctx.events.publish({
    type: 'host.updated',
    orgId: row.orgId,
    data: { id: req.host_id, hostname: req.hostname, liveness: 'ready' },
  });
  return {
    host_id: req.host_id,
    host_credential: fresh?.secret ?? (proof?.token as string),
    heartbeat_interval_ms: ctx.liveness.nextHeartbeatMs(),
    controller_version: CONTROLLER_VERSION,
    api_version: API_VERSION,
  };
}

/**
 * Writes the host as the agent describes it and applies its inventory, in one transaction.
 * Only called once the registration may speak for the host.
 */
async function saveRegistration(
  ctx: Ctx,
  req: RegisterHostReq,
  license: LicenseKeyRow,
  existing: HostRow | undefined,
  fresh: NewSecret | null,
  now: number,
): Promise<VmChange[]> {
  const { hosts } = ctx.t;
  const base = {
    hostname: req.hostname,
    addr: req.addr.replace(/\/+$/, ''),
    publicAddr: req.public_addr ?? existing?.publicAddr ?? new URL(req.addr).hostname,
    source: 'registered' as const,
    liveness: 'ready' as const,
    engines: req.engines,
    storage: req.storage,
    agentVersion: req.agent_version,
    apiVersion: req.api_version,
    agentKeyEnc: ctx.box.seal(req.agent_api_key),
    ...pinAtRegistration(existing, req.addr, req.tls_fingerprint),
    ...(fresh
      ? {
          credentialPrefix: fresh.prefix,
          credentialHash: fresh.hash,
          nextCredentialPrefix: null,
          nextCredentialHash: null,
          credentialRotateAt: null,
        }
      : {}),
    reregisterUntil: null,
    licenseKeyId: existing?.licenseKeyId ?? license.id,
    lastHeartbeatAt: now,
    updatedAt: now,
  };
  return await ctx.db.transaction(async (tx) => {
    if (existing) {
      // Conditional on the credential state the proof was checked against: a revocation or
      // reset in between, or a second registration spending the same reset, finds it changed.
      const changed = await tx
        .update(hosts)
        .set(base)
        .where(
          and(
            eq(hosts.id, req.host_id),
            sameOrNull(hosts.credentialHash, existing.credentialHash),
            sameOrNull(hosts.reregisterUntil, existing.reregisterUntil),
          ),
        )
        .returning({ id: hosts.id });
      if (changed.length === 0) {
        throw new ApiError('conflict', `host ${req.host_id} changed during registration; retry`, {
          retryable: true,
        });
      }
    } else {
      await tx.insert(hosts).values({
        ...base,
        id: req.host_id,
        orgId: license.orgId,
        policy: 'eligible',
        registeredAt: now,
      });
    }
    return applyInventory(ctx, tx, now, req.host_id, req.inventory);
  });
}

interface Proof {
  by: 'credential' | 'reset';
  /** Which presented credential stays the host's (null: a new one is issued). */
  keep: 'current' | 'next' | null;
  token: string | null;
}

/**
 * Why a registration may speak for a host the controller already knows, or a refusal. Never
 * the license key alone: every host of an organization holds the same one.
 */
function proveIdentity(
  ctx: Ctx,
  host: HostRow,
  licenseOrg: string | null,
  presented: RegistrationPrincipal['presented'],
  now: number,
): Proof {
  if (host.orgId !== null && host.orgId !== licenseOrg) {
    refuse(ctx, host, 'forbidden', 'this host belongs to another organization');
  }
  if (presented && presented !== 'invalid' && presented.host.id === host.id) {
    return { by: 'credential', keep: presented.match, token: presented.token };
  }
  // An operator's reset lets one registration in; never for a host of no organization, which
  // no license key may claim.
  if (host.orgId !== null && reregistrationOpen(host, now)) {
    return { by: 'reset', keep: null, token: null };
  }
  refuse(
    ctx,
    host,
    'unauthenticated',
    host.orgId === null
      ? `host ${host.id} belongs to no organization and cannot be claimed with a license key; re-registering it needs its current host credential (${HEADER_HINT})`
      : `host ${host.id} is already registered: re-registering it needs its current host credential (${HEADER_HINT}), or an operator's reset: apiary hosts reset-credential ${host.id}`,
  );
}

const HEADER_HINT = 'X-Apiary-Host-Credential';

function sameOrNull<T extends string | number>(column: SQLWrapper, value: T | null) {
  return value === null ? isNull(column) : eq(column, value);
}

function refuse(
  ctx: Ctx,
  host: HostRow,
  code: 'forbidden' | 'unauthenticated',
  msg: string,
): never {
  ctx.metrics.heartbeats.inc({ result: 'register_refused' });
  ctx.log.warn({ host_id: host.id, code }, 'host registration refused');
  throw new ApiError(code, msg);
}
