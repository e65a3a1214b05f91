import { ApiError, type CreateEnvReq, type Env, recipeSecrets } from '@apiary/protocol';
import { and, count, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { param, statement } from '../../db/prepared-statement.js';

import { resolveTargetOrg } from '../auth/orgs.js';
import { isSuperAdmin, type Principal } from '../auth/principal.js';
import { placeAndReserve } from '../placement/place.js';
import type { VmDemand } from '../placement/plan.js';
import { openSecrets } from '../recipes/org-secrets.js';
import { getRecipe } from '../recipes/recipes.js';
import { envByOrgAndName } from './addressing.js';
import { type BootSource, resolveBootSource } from './boot-source.js';
import { newEnvId, vmIdOf, vmNameOf } from './env-names.js';
import { type EnvRowValues, insertEnvRows, type VmRowValues } from './env-rows.js';
import { startCreateSaga } from './env-sagas.js';
import { type EnvRow, envView } from './env-view.js';
import { allocatePrivateIps, allocateVni, ENV_PRIVATE_SUBNET } from './private-network.js';

const envIdTaken = statement('env_id_taken', (db, { envs }) =>
  db
    .select({ id: envs.id })
    .from(envs)
    .where(eq(envs.id, param('id'))),
);

/**
 * An old environment of the same name in the same organization can make way once nothing of it
 * may still exist. Other organizations' environments never come into it: names are theirs.
 */
async function isPurgeable(ctx: Ctx, env: EnvRow): Promise<boolean> {
  const { vms } = ctx.t;
  if (env.state !== 'deleted' && env.state !== 'failed') return false;
  const live =
    (
      await ctx.db
        .select({ n: count() })
        .from(vms)
        .where(and(eq(vms.envId, env.id), ne(vms.state, 'deleted')))
    )[0]?.n ?? 0;
  return live === 0;
}

/**
 * `POST /v1/envs`: resolve images, place every VM and reserve capacity in one transaction
 * (all-or-nothing), record the environment, then create the VMs on their hosts in the
 * background. Answers at once with the environment in `creating`.
 */
export async function createEnv(ctx: Ctx, p: Principal, req: CreateEnvReq): Promise<Env> {
  const orgId = await resolveTargetOrg(ctx, p, req.org_id);
  const named = async (tx?: Tx) => (await envByOrgAndName.run(ctx, { orgId, name: req.id }, tx))[0];
  const existing = await named();
  if (existing && !(await isPurgeable(ctx, existing))) {
    throw new ApiError('conflict', `environment ${req.id} already exists (${existing.state})`);
  }
  let envId = '';
  const specs: Array<Omit<CreateEnvReq['vms'][number], 'image' | 'boot_iso'> & BootSource> = [];
  const recipeVersions: Array<number | null> = [];
  for (const [i, spec] of req.vms.entries()) {
    const source = await resolveBootSource(ctx, orgId, spec, i);
    specs.push({ ...spec, engine: ctx.config.engineMap[spec.engine] ?? spec.engine, ...source });
    // The spec's recipe, else the image's default (an ISO install has no guest to log into yet).
    const recipe =
      spec.recipe ?? (source.bootIso ? undefined : (source.image.defaultRecipe ?? undefined));
    specs[i]!.recipe = recipe;
    recipeVersions.push(recipe ? await recipeVersionFor(ctx, orgId, recipe, i) : null);
  }
  const demands: VmDemand[] = specs.map((s) => ({
    cpu: s.cpu,
    mem: s.mem,
    disk: s.disk,
    engine: s.engine,
    digest: s.image.digest,
    networks: s.networks,
  }));
  const now = ctx.clock.now();
  await placeAndReserve(
    ctx,
    orgId,
    demands,
    async (tx, hostIds) => {
      // A concurrent create of the same name may have committed since the check above.
      const current = await named(tx);
      if (current && current.id !== existing?.id) {
        throw new ApiError('conflict', `environment ${req.id} already exists (${current.state})`);
      }
      if (existing) await tx.delete(ctx.t.envs).where(eq(ctx.t.envs.id, existing.id));
      envId = await unusedEnvId(ctx, tx, req.id);
      // The private network (issue 14): its VNI and every VM's address, recorded with them.
      const vni = req.private_network ? await allocateVni(ctx.t, tx) : null;
      const privateIps = req.private_network
        ? allocatePrivateIps(ENV_PRIVATE_SUBNET, specs.length, new Set())
        : [];
      const envRow: EnvRowValues = {
        id: envId,
        name: req.id,
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
        vni,
        privateSubnet: vni === null ? null : ENV_PRIVATE_SUBNET,
      };
      const vmRows = specs.map(
        (s, i): VmRowValues => ({
          id: vmIdOf(envId, i),
          name: vmNameOf(req.id, i),
          envId,
          idx: i,
          orgId,
          hostId: hostIds[i] ?? null,
          image: s.image.name,
          imageDigest: s.image.digest,
          bootIso: s.bootIso,
          engine: s.engine,
          cpu: s.cpu,
          mem: s.mem,
          disk: s.disk,
          ports: s.ports,
          denyOutgoing: s.deny_outgoing,
          // The VM's user, else the image's (an ISO install has no cloud-init guest yet).
          loginUser: s.user ?? (s.bootIso ? null : s.image.defaultUser),
          recipe: s.recipe ?? null,
          recipeVersion: recipeVersions[i] ?? null,
          recipeState: s.recipe ? 'pending' : null,
          state: 'pending',
          portMap: {},
          networks: s.networks,
          privateIp: privateIps[i] ?? null,
          reserved: true,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await insertEnvRows(ctx, tx, envRow, vmRows);
    },
    { showOtherOrgs: isSuperAdmin(p) },
  );
  ctx.log.info(
    {
      env_id: envId,
      env_name: req.id,
      org_id: orgId,
      vms: specs.length,
    },
    'environment placed',
  );
  ctx.events.publish({
    type: 'env.state',
    orgId,
    data: { id: req.id, org_id: orgId, state: 'creating' },
  });
  // The answer describes the environment as created, before the saga moves it on.
  const view = await envView(ctx, envId);
  await startCreateSaga(ctx, envId);
  return view;
}

/**
 * The version of a VM's recipe it will run (the newest now: a later PUT does not change what
 * this environment was created with), once its secrets are known to exist.
 */
async function recipeVersionFor(ctx: Ctx, orgId: string, name: string, i: number) {
  const recipe = await getRecipe(ctx, orgId, name).catch((error: unknown) => {
    if (error instanceof ApiError && error.code === 'not_found')
      throw new ApiError('validation', `vms[${i}].recipe: recipe ${name} not found`);
    throw error;
  });
  await openSecrets(ctx, orgId, recipeSecrets(recipe.steps));
  return recipe.version;
}

/** A fresh internal id no environment holds (a clash is 2^-40 unlikely; checked all the same). */
async function unusedEnvId(ctx: Ctx, tx: Tx, name: string): Promise<string> {
  for (;;) {
    const id = newEnvId(name);
    if ((await envIdTaken.run(ctx, { id }, tx)).length === 0) return id;
  }
}
