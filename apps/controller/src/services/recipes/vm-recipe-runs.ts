import { ApiError, type RecipeRunResult, type RunRecipeReq } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { resolveTargetOrg } from '../auth/orgs.js';
import { type Principal, requireRole } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
import { getEnvRow } from '../envs/env-view.js';
import { getRecipe } from './recipes.js';
import { runRecipeOnVm } from './run-recipe.js';

/**
 * `POST /v1/vms/{id}/recipe-runs` (`apiary recipes test RECIPE --vm ID`): runs a recipe on a
 * running VM now and answers with its outcome and masked transcript, which the VM keeps as its
 * last run. The agent runs it in turn with the VM's other operations.
 */
export async function runVmRecipe(
  ctx: Ctx,
  p: Principal,
  name: string,
  req: RunRecipeReq,
  org?: string,
): Promise<RecipeRunResult> {
  const vm = await findVm(ctx, p, name, org);
  if (vm.state !== 'running')
    throw new ApiError('conflict', `VM ${name} is ${vm.state}; a recipe runs on a running VM`);
  const env = await getEnvRow(ctx, vm.envId);
  if (!env) throw new ApiError('not_found', `VM ${name} not found`);
  const recipe = await getRecipe(ctx, vm.orgId, req.recipe, req.version);
  // The run is the caller's: it answers when the recipe has finished, whatever happens to the
  // request (a client that goes away does not leave the console half typed into).
  const facts = { hostname: vm.name, sshKeys: env.sshKeys };
  return runRecipeOnVm(ctx, vm, recipe, facts, new AbortController().signal);
}

/** The organization a recipe or secret route acts in; changes need an organization admin. */
export async function recipeOrg(
  ctx: Ctx,
  p: Principal,
  org: string | undefined,
  change: string | null,
): Promise<string> {
  if (change) requireRole(p, 'org_admin', change);
  return resolveTargetOrg(ctx, p, org);
}
