import { z } from 'zod';
import { listOf, Ok } from '../schemas/common.js';
import { OrgScopeQuery } from '../schemas/env.js';
import { Image, SetImageRecipeReq } from '../schemas/image.js';
import { ImageDigest, VmId } from '../schemas/names.js';
import {
  CreateRecipeReq,
  GetRecipeQuery,
  OrgSecret,
  PutRecipeReq,
  PutSecretReq,
  Recipe,
  RecipeName,
  RecipeRunResult,
  RunRecipeReq,
  SecretName,
} from '../schemas/recipe.js';
import { defineRoute } from './define-route.js';

/*
 * Serial-console recipes (issue 16): an organization's versioned recipes (plus the built-in
 * ones), the secrets they reference by name, and running one on a VM now.
 */

const RecipeByName = z.strictObject({ name: RecipeName });
const SecretByName = z.strictObject({ name: SecretName });
const VmById = z.strictObject({ id: VmId });

export const recipeRoutes = {
  listRecipes: defineRoute({
    method: 'GET',
    path: '/v1/recipes',
    tag: 'images',
    auth: 'user',
    scope: 'images:read',
    status: 200,
    summary: 'List recipes: the built-in ones and the newest version of each of the organization',
    query: OrgScopeQuery,
    response: listOf(Recipe),
  }),
  createRecipe: defineRoute({
    method: 'POST',
    path: '/v1/recipes',
    tag: 'images',
    auth: 'user',
    scope: 'images:write',
    status: 201,
    summary: 'Create a recipe (version 1)',
    query: OrgScopeQuery,
    body: CreateRecipeReq,
    bodyLimit: 1024 * 1024,
    response: Recipe,
  }),
  getRecipe: defineRoute({
    method: 'GET',
    path: '/v1/recipes/:name',
    tag: 'images',
    auth: 'user',
    scope: 'images:read',
    status: 200,
    summary: 'A recipe: its newest version, or `version`',
    params: RecipeByName,
    query: GetRecipeQuery,
    response: Recipe,
  }),
  putRecipe: defineRoute({
    method: 'PUT',
    path: '/v1/recipes/:name',
    tag: 'images',
    auth: 'user',
    scope: 'images:write',
    status: 200,
    summary: 'Store a new version of a recipe (version 1 if it had none)',
    params: RecipeByName,
    query: OrgScopeQuery,
    body: PutRecipeReq,
    bodyLimit: 1024 * 1024,
    response: Recipe,
  }),
  deleteRecipe: defineRoute({
    method: 'DELETE',
    path: '/v1/recipes/:name',
    tag: 'images',
    auth: 'user',
    scope: 'images:write',
    status: 200,
    summary: 'Delete a recipe, every version (VMs keep the name and version they ran)',
    params: RecipeByName,
    query: OrgScopeQuery,
    response: Ok,
  }),
  listSecrets: defineRoute({
    method: 'GET',
    path: '/v1/secrets',
    tag: 'images',
    auth: 'user',
    scope: 'images:read',
    status: 200,
    summary: "The organization's recipe secrets, by name (never their values)",
    query: OrgScopeQuery,
    response: listOf(OrgSecret),
  }),
  putSecret: defineRoute({
    method: 'PUT',
    path: '/v1/secrets/:name',
    tag: 'images',
    auth: 'user',
    scope: 'images:write',
    status: 200,
    summary: 'Set a secret recipes reference as {{secret:NAME}} (stored encrypted)',
    params: SecretByName,
    query: OrgScopeQuery,
    body: PutSecretReq,
    response: OrgSecret,
  }),
  deleteSecret: defineRoute({
    method: 'DELETE',
    path: '/v1/secrets/:name',
    tag: 'images',
    auth: 'user',
    scope: 'images:write',
    status: 200,
    summary: 'Delete a secret',
    params: SecretByName,
    query: OrgScopeQuery,
    response: Ok,
  }),
  setImageDefaultRecipe: defineRoute({
    method: 'PUT',
    path: '/v1/images/:digest/default-recipe',
    tag: 'images',
    auth: 'user',
    scope: 'images:write',
    status: 200,
    summary: 'Set the recipe VMs made from an image run when their spec names none (null: none)',
    params: z.strictObject({ digest: ImageDigest }),
    body: SetImageRecipeReq,
    response: Image,
  }),
  runVmRecipe: defineRoute({
    method: 'POST',
    path: '/v1/vms/:id/recipe-runs',
    tag: 'vms',
    auth: 'user',
    scope: 'envs:write',
    status: 200,
    summary: "Run a recipe on a running VM's serial console now; answers when it has finished",
    params: VmById,
    query: OrgScopeQuery,
    body: RunRecipeReq,
    response: RecipeRunResult,
  }),
};
