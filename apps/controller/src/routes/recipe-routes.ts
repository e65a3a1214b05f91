import { controllerRoutes as r } from '@apiary/protocol';
import { setImageDefaultRecipe } from '../services/images/images.js';
import { deleteSecret, listSecrets, putSecret } from '../services/recipes/org-secrets.js';
import {
  createRecipe,
  deleteRecipe,
  getRecipe,
  listRecipes,
  putRecipe,
} from '../services/recipes/recipes.js';
import { recipeOrg, runVmRecipe } from '../services/recipes/vm-recipe-runs.js';
import type { RouteDeps } from './route-deps.js';

/** Recipes, their secrets, and running one on a VM (issue 16). */
export function registerRecipeRoutes({ ctx, router, bind }: RouteDeps) {
  bind(router, r.listRecipes, async ({ principal: p, query }) => {
    const items = await listRecipes(ctx, await recipeOrg(ctx, p, query.org, null));
    return { items, total: items.length, limit: items.length, offset: 0 };
  });
  bind(router, r.createRecipe, async ({ principal: p, query, body }) => ({
    status: 201,
    body: await createRecipe(ctx, await recipeOrg(ctx, p, query.org, 'creating a recipe'), body),
  }));
  bind(router, r.getRecipe, async ({ principal: p, params, query }) =>
    getRecipe(ctx, await recipeOrg(ctx, p, query.org, null), params.name, query.version),
  );
  bind(router, r.putRecipe, async ({ principal: p, params, query, body }) =>
    putRecipe(ctx, await recipeOrg(ctx, p, query.org, 'changing a recipe'), params.name, body),
  );
  bind(router, r.deleteRecipe, async ({ principal: p, params, query }) => {
    await deleteRecipe(ctx, await recipeOrg(ctx, p, query.org, 'deleting a recipe'), params.name);
    return { ok: true as const };
  });
  bind(router, r.listSecrets, async ({ principal: p, query }) => {
    const items = await listSecrets(ctx, await recipeOrg(ctx, p, query.org, null));
    return { items, total: items.length, limit: items.length, offset: 0 };
  });
  bind(router, r.putSecret, async ({ principal: p, params, query, body }) =>
    putSecret(ctx, await recipeOrg(ctx, p, query.org, 'setting a secret'), params.name, body.value),
  );
  bind(router, r.deleteSecret, async ({ principal: p, params, query }) => {
    await deleteSecret(ctx, await recipeOrg(ctx, p, query.org, 'deleting a secret'), params.name);
    return { ok: true as const };
  });
  bind(router, r.setImageDefaultRecipe, ({ principal: p, params, body }) =>
    setImageDefaultRecipe(ctx, p, params.digest, body.recipe),
  );
  bind(router, r.runVmRecipe, ({ principal: p, params, query, body }) =>
    runVmRecipe(ctx, p, params.id, body, query.org),
  );
}
