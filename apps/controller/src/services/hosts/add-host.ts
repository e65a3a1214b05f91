import { type AddHostReq, type AgentInfo, ApiError, type Host } from '@apiary/protocol';
import { eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { resolveTargetOrg } from '../auth/orgs.js';
import { canSeeOrg, type Principal, requireRole } from '../auth/principal.js';
import { agentBaseUrl, connectionTestError, testAgentConnection } from './connection-test.js';
import { getHostRow, getHostView } from './host-view.js';

export interface AddHostOutcome {
  host: Host;
  created: boolean;
}

/**
 * Operator add by address (seed 003 `POST /api/hosts {"addr": ...}`): test the connection,
 * then save. A host the controller already knows (same address, or same host id once the
 * agent answered) is returned as it is.
 */
export async function addHost(ctx: Ctx, p: Principal, req: AddHostReq): Promise<AddHostOutcome> {
  const { hosts } = ctx.t;
  requireRole(p, 'org_admin', 'adding a host');
  const baseUrl = await agentBaseUrl(ctx, req.addr);
  const { host: hostPort } = new URL(baseUrl);
  const known = (
    await ctx.db
      .select()
      .from(hosts)
      .where(inArray(hosts.addr, [`https://${hostPort}`, `http://${hostPort}`]))
  )[0];
  // Another organization's host at this address is not "known" to this caller: the answer is
  // the connection test's, as for any address, so nobody learns where others' hosts are.
  if (known && canSeeOrg(p, known.orgId) && !req.api_key && !req.bootstrap_token) {
    return { host: await getHostView(ctx, p, known.id), created: false };
  }
  const orgId = await resolveTargetOrg(ctx, p, req.org_id);
  const fingerprint = baseUrl.startsWith('https:') ? req.tls_fingerprint : undefined;
  if (baseUrl.startsWith('https:') && !fingerprint) {
    // Shows the certificate the agent presents; neither key nor token leaves the controller.
    throw connectionTestError((await testAgentConnection(ctx, baseUrl, undefined)).result);
  }
  const key = req.bootstrap_token
    ? await claimAgentKey(ctx, baseUrl, req.bootstrap_token, fingerprint)
    : req.api_key;
  const { result, info } = await testAgentConnection(ctx, baseUrl, key, fingerprint);
  if (!result.ok || !info) throw connectionTestError(result);

  const existing = await getHostRow(ctx, info.host_id);
  if (existing) {
    if (!canSeeOrg(p, existing.orgId))
      throw new ApiError('conflict', `host ${info.host_id} is managed by another organization`);
    if (!existing.agentKeyEnc && key) {
      await ctx.db
        .update(hosts)
        .set({ agentKeyEnc: ctx.box.seal(key) })
        .where(eq(hosts.id, existing.id));
    }
    return { host: await getHostView(ctx, p, existing.id), created: false };
  }
  await insertAddedHost(ctx, info, {
    baseUrl,
    key,
    orgId,
    publicAddr: req.public_addr,
    fingerprint,
  });
  ctx.liveness.track(info.host_id, null, -1);
  ctx.log.info({ host_id: info.host_id, addr: baseUrl, org_id: orgId }, 'host added');
  ctx.events.publish({
    type: 'host.updated',
    orgId,
    data: { id: info.host_id, hostname: info.hostname, liveness: 'ready' },
  });
  return { host: await getHostView(ctx, p, info.host_id), created: true };
}

async function claimAgentKey(
  ctx: Ctx,
  baseUrl: string,
  token: string,
  fingerprint: string | undefined,
): Promise<string> {
  try {
    const trust = fingerprint ? { kind: 'fingerprint' as const, fingerprint } : undefined;
    const client = await ctx.agents.forAddr(baseUrl, undefined, trust ? { trust } : {});
    const created = await client.bootstrapApiKey({
      body: { claim_token: token, name: 'apiary-controller' },
    });
    return created.key;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'forbidden') throw error;
    const e = error instanceof ApiError ? error : new ApiError('upstream_failed', String(error));
    throw new ApiError(
      e.code === 'unavailable' || e.code === 'timeout' ? e.code : 'precondition_failed',
      `the agent at ${baseUrl} did not accept the bootstrap token: ${e.message}`,
      { retryable: false },
    );
  }
}

async function insertAddedHost(
  ctx: Ctx,
  info: AgentInfo,
  o: {
    baseUrl: string;
    key: string | undefined;
    orgId: string;
    publicAddr?: string;
    fingerprint?: string;
  },
) {
  const { hostImages, hosts } = ctx.t;
  const now = ctx.clock.now();
  const { total, used } = info.resources;
  await ctx.db.transaction(async (tx) => {
    await tx.insert(hosts).values({
      id: info.host_id,
      hostname: info.hostname,
      addr: o.baseUrl,
      publicAddr: o.publicAddr ?? new URL(o.baseUrl).hostname,
      orgId: o.orgId,
      source: 'added',
      liveness: 'ready',
      policy: 'eligible',
      engines: info.engines,
      storage: info.storage,
      agentVersion: info.agent_version,
      apiVersion: info.api_version,
      agentKeyEnc: o.key ? ctx.box.seal(o.key) : null,
      // What the connection test just saw, as the operator vouched for it.
      tlsFingerprint: o.fingerprint ?? null,
      totalCpu: total.cpu,
      totalMem: total.mem,
      totalDisk: total.disk,
      usedCpu: used.cpu,
      usedMem: used.mem,
      usedDisk: used.disk,
      // Until the first poll tells us which VMs are ours, everything in use is foreign.
      foreignCpu: used.cpu,
      foreignMem: used.mem,
      foreignDisk: used.disk,
      vmCount: info.vm_count,
      lastHeartbeatAt: now,
      registeredAt: now,
      updatedAt: now,
    });
    const digests = [...new Set(info.images.map((i) => i.digest))];
    if (digests.length > 0)
      await tx
        .insert(hostImages)
        .values(digests.map((digest) => ({ hostId: info.host_id, digest })));
  });
}
