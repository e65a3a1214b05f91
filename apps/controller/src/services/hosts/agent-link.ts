import {
  API_VERSION,
  ApiError,
  type HeartbeatReq,
  type HeartbeatResp,
  isCompatibleApiVersion,
  type RegisterHostReq,
  type RegisterHostResp,
} from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { hosts } from '../../db/schema.js';
import { newSecret } from '../../lib/secrets.js';
import { CONTROLLER_VERSION } from '../../version.js';
import type { LicenseKeyRow } from '../auth/license-keys.js';
import { applyInventory, publishVmChanges } from './apply-inventory.js';
import { pinAtRegistration } from './host-certificate.js';
import { persistTransitions } from './persist-liveness.js';

/**
 * Agent self-registration with a license key. The same host id registering again (after a
 * restart, or when the controller forgot it) updates its one record: nothing is duplicated.
 */
export function registerHost(
  ctx: Ctx,
  license: LicenseKeyRow,
  req: RegisterHostReq,
): RegisterHostResp {
  if (!isCompatibleApiVersion(req.api_version)) {
    throw new ApiError(
      'precondition_failed',
      `agent speaks API ${req.api_version}; this controller speaks ${API_VERSION}`,
    );
  }
  const existing = ctx.db.select().from(hosts).where(eq(hosts.id, req.host_id)).get();
  if (existing?.orgId && license.orgId && existing.orgId !== license.orgId) {
    // A license key of one organization cannot take over another organization's host.
    throw new ApiError('forbidden', 'this host belongs to another organization');
  }
  const now = ctx.clock.now();
  const credential = newSecret('aph');
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
    credentialPrefix: credential.prefix,
    credentialHash: credential.hash,
    licenseKeyId: license.id,
    lastHeartbeatAt: now,
    updatedAt: now,
  };
  const changes = ctx.db.transaction((tx) => {
    if (existing) {
      tx.update(hosts).set(base).where(eq(hosts.id, req.host_id)).run();
    } else {
      tx.insert(hosts)
        .values({
          ...base,
          id: req.host_id,
          orgId: license.orgId,
          policy: 'eligible',
          registeredAt: now,
        })
        .run();
    }
    return applyInventory(tx, now, req.host_id, req.inventory);
  });
  const transition = ctx.liveness.track(req.host_id, credential.hash, req.inventory.generation);
  if (transition) persistTransitions(ctx, [transition]);
  publishVmChanges(ctx, req.host_id, changes);
  ctx.metrics.heartbeats.inc({ result: 'registered' });
  ctx.log.info(
    { host_id: req.host_id, hostname: req.hostname, addr: base.addr },
    existing ? 'host re-registered' : 'host registered',
  );
  if (
    base.tlsPresentedFingerprint &&
    base.tlsPresentedFingerprint !== existing?.tlsPresentedFingerprint
  ) {
    ctx.log.warn(
      {
        host_id: req.host_id,
        pinned: base.tlsFingerprint,
        presented: base.tlsPresentedFingerprint,
      },
      'host certificate changed: refusing the agent until an operator accepts the new certificate',
    );
  }
  ctx.events.publish({
    type: 'host.updated',
    orgId: existing?.orgId ?? license.orgId,
    data: { id: req.host_id, hostname: req.hostname, liveness: 'ready' },
  });
  return {
    host_id: req.host_id,
    host_credential: credential.secret,
    heartbeat_interval_ms: ctx.liveness.nextHeartbeatMs(),
    controller_version: CONTROLLER_VERSION,
    api_version: API_VERSION,
  };
}

/**
 * A heartbeat (the host credential was checked by the route). With nothing new (same generation, host already ready) it touches memory only.
 */
export function heartbeat(ctx: Ctx, hostId: string, req: HeartbeatReq): HeartbeatResp {
  const transition = ctx.liveness.seen(hostId);
  if (transition) persistTransitions(ctx, [transition]);
  const ack = ctx.liveness.ackGeneration(hostId);
  if (req.inventory && req.inventory.generation !== ack) {
    const inv = req.inventory;
    const changes = ctx.db.transaction((tx) => applyInventory(tx, ctx.clock.now(), hostId, inv));
    ctx.liveness.setAckGeneration(hostId, inv.generation);
    publishVmChanges(ctx, hostId, changes);
    ctx.metrics.heartbeats.inc({ result: 'inventory' });
  } else {
    ctx.metrics.heartbeats.inc({ result: 'ok' });
  }
  return {
    next_heartbeat_ms: ctx.liveness.nextHeartbeatMs(),
    ack_generation: ctx.liveness.ackGeneration(hostId),
  };
}

/** Clean agent shutdown: the host is down at once; its VMs stay, shown as unknown. */
export function deregisterHost(ctx: Ctx, hostId: string, reason?: string) {
  const transition = ctx.liveness.markDown(hostId);
  if (transition) persistTransitions(ctx, [transition]);
  ctx.log.info({ host_id: hostId, reason: reason ?? null }, 'host deregistered');
  return { ok: true as const };
}
