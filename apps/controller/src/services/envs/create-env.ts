import { ApiError, type CreateEnvReq, type Env } from '@apiary/protocol';
import { and, count, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { envs, vms } from '../../db/schema.js';
import { resolveTargetOrg } from '../auth/orgs.js';
import { isSuperAdmin, type Principal } from '../auth/principal.js';
import { resolveImageRef } from '../images/images.js';
import { placeAndReserve } from '../placement/place.js';
import type { VmDemand } from '../placement/plan.js';
import { startCreateSaga } from './env-sagas.js';
import { type EnvRow, envView } from './env-view.js';

/** An old environment of the same id can make way once nothing of it may still exist. */
function isPurgeable(ctx: Ctx, env: EnvRow): boolean {
  if (env.state !== 'deleted' && env.state !== 'failed') return false;
  const live =
    ctx.db
      .select({ n: count() })
      .from(vms)
      .where(and(eq(vms.envId, env.id), ne(vms.state, 'deleted')))
      .get()?.n ?? 0;
  return live === 0;
}

/**
 * `POST /v1/envs`: resolve images, place every VM and reserve capacity in one transaction
 * (all-or-nothing), record the environment, then create the VMs on their hosts in the
 * background. Answers at once with the environment in `creating`.
 */
export function createEnv(ctx: Ctx, p: Principal, req: CreateEnvReq): Env {
  const orgId = resolveTargetOrg(ctx, p, req.org_id);
  const existing = ctx.db.select().from(envs).where(eq(envs.id, req.id)).get();
  if (existing && !isPurgeable(ctx, existing)) {
    throw new ApiError('conflict', `environment ${req.id} already exists (${existing.state})`);
  }
  const specs = req.vms.map((spec) => {
    const image = resolveImageRef(ctx, orgId, spec.image);
    return { ...spec, engine: ctx.config.engineMap[spec.engine] ?? spec.engine, image };
  });
  const demands: VmDemand[] = specs.map((s) => ({
    cpu: s.cpu,
    mem: s.mem,
    disk: s.disk,
    engine: s.engine,
    digest: s.image.digest,
  }));
  const now = ctx.clock.now();
  placeAndReserve(
    ctx,
    orgId,
    demands,
    (tx, hostIds) => {
      if (existing) tx.delete(envs).where(eq(envs.id, existing.id)).run();
      tx.insert(envs)
        .values({
          id: req.id,
          orgId,
          owner: req.owner ?? null,
          createdBy: p.userId ?? p.apiKeyId,
          state: 'creating',
          sshKeys: req.ssh_keys,
          lifetime: req.lifetime,
          onFailure: req.on_failure,
          createdAt: now,
          expiresAt: now + req.lifetime * 1000,
          updatedAt: now,
        })
        .run();
      tx.insert(vms)
        .values(
          specs.map((s, i) => ({
            id: `${req.id}-${i}`,
            envId: req.id,
            idx: i,
            orgId,
            hostId: hostIds[i] ?? null,
            image: s.image.name,
            imageDigest: s.image.digest,
            engine: s.engine,
            cpu: s.cpu,
            mem: s.mem,
            disk: s.disk,
            ports: s.ports,
            denyOutgoing: s.deny_outgoing,
            state: 'pending',
            portMap: {},
            reserved: true,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .run();
    },
    { showOtherOrgs: isSuperAdmin(p) },
  );
  ctx.log.info(
    {
      env_id: req.id,
      org_id: orgId,
      vms: specs.length,
    },
    'environment placed',
  );
  ctx.events.publish({ type: 'env.state', orgId, data: { id: req.id, state: 'creating' } });
  startCreateSaga(ctx, req.id);
  return envView(ctx, req.id);
}
