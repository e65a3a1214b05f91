import {
  ApiError,
  type CreateRecipeReq,
  type PutRecipeReq,
  type Recipe,
  type RecipeStep,
} from '@apiary/protocol';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { recipes } from '../../db/pg-schema.js';
import { iso } from '../../lib/clock.js';
import { BUILTIN_RECIPES, type BuiltinRecipe, builtinRecipe } from './builtin-recipes.js';

type Row = typeof recipes.$inferSelect;

/** Built-in recipes date from the epoch: they exist as long as the controller does. */
const BUILTIN_TIME = iso(0);

function view(r: Row): Recipe {
  return {
    name: r.name,
    version: r.version,
    description: r.description,
    steps: r.steps,
    builtin: false,
    created_at: iso(r.createdAt),
    updated_at: iso(r.createdAt),
  };
}

function builtinView(b: BuiltinRecipe): Recipe {
  return {
    name: b.name,
    version: 1,
    description: b.description,
    steps: b.steps,
    builtin: true,
    created_at: BUILTIN_TIME,
    updated_at: BUILTIN_TIME,
  };
}

function refuseBuiltin(name: string): void {
  if (builtinRecipe(name))
    throw new ApiError('conflict', `recipe ${name} is built in and cannot be changed`);
}

/** Built-in recipes, then the newest version of each of the organization's, by name. */
export async function listRecipes(ctx: Ctx, orgId: string): Promise<Recipe[]> {
  const { recipes } = ctx.t;
  const rows = await ctx.db
    .select()
    .from(recipes)
    .where(eq(recipes.orgId, orgId))
    .orderBy(asc(recipes.name), desc(recipes.version));
  const newest = rows.filter((r, i) => i === 0 || rows[i - 1]!.name !== r.name);
  return [...BUILTIN_RECIPES.map(builtinView), ...newest.map(view)];
}

/** A recipe's newest version, or `version`: the organization's or a built-in one. */
export async function getRecipe(
  ctx: Ctx,
  orgId: string,
  name: string,
  version?: number,
): Promise<Recipe> {
  const builtin = builtinRecipe(name);
  if (builtin) {
    if (version !== undefined && version !== 1)
      throw new ApiError('not_found', `recipe ${name} has no version ${version}`);
    return builtinView(builtin);
  }
  const { recipes } = ctx.t;
  const conds = [eq(recipes.orgId, orgId), eq(recipes.name, name)];
  if (version !== undefined) conds.push(eq(recipes.version, version));
  const row = (
    await ctx.db
      .select()
      .from(recipes)
      .where(and(...conds))
      .orderBy(desc(recipes.version))
      .limit(1)
  )[0];
  if (!row)
    throw new ApiError(
      'not_found',
      version === undefined
        ? `recipe ${name} not found`
        : `recipe ${name} has no version ${version}`,
    );
  return view(row);
}

export async function createRecipe(ctx: Ctx, orgId: string, req: CreateRecipeReq) {
  refuseBuiltin(req.name);
  const { recipes } = ctx.t;
  const existing = await ctx.db
    .select({ v: recipes.version })
    .from(recipes)
    .where(and(eq(recipes.orgId, orgId), eq(recipes.name, req.name)))
    .limit(1);
  if (existing.length > 0)
    throw new ApiError('conflict', `recipe ${req.name} exists: PUT a new version`);
  return insertVersion(ctx, orgId, req.name, 1, req);
}

/** A new version: one more than the newest (1 for a new name). */
export async function putRecipe(ctx: Ctx, orgId: string, name: string, req: PutRecipeReq) {
  refuseBuiltin(name);
  const { recipes } = ctx.t;
  // Two PUTs at once may pick the same number: the primary key refuses the second, which is
  // told to try again rather than overwrite the first.
  const newest = (
    await ctx.db
      .select({ v: recipes.version })
      .from(recipes)
      .where(and(eq(recipes.orgId, orgId), eq(recipes.name, name)))
      .orderBy(desc(recipes.version))
      .limit(1)
  )[0];
  return insertVersion(ctx, orgId, name, (newest?.v ?? 0) + 1, req);
}

async function insertVersion(
  ctx: Ctx,
  orgId: string,
  name: string,
  version: number,
  req: { description: string; steps: RecipeStep[] },
): Promise<Recipe> {
  const { recipes } = ctx.t;
  try {
    const row = (
      await ctx.db
        .insert(recipes)
        .values({
          orgId,
          name,
          version,
          description: req.description,
          steps: req.steps,
          createdAt: ctx.clock.now(),
        })
        .returning()
    )[0]!;
    ctx.log.info({ org_id: orgId, recipe: name, version }, 'recipe stored');
    return view(row);
  } catch (error) {
    const text = String((error as { cause?: unknown }).cause ?? error);
    if (/UNIQUE|duplicate key|PRIMARY KEY/i.test(text))
      throw new ApiError('conflict', `recipe ${name} changed meanwhile; try again`, {
        retryable: true,
      });
    throw error;
  }
}

export async function deleteRecipe(ctx: Ctx, orgId: string, name: string): Promise<void> {
  refuseBuiltin(name);
  const { recipes } = ctx.t;
  const gone = await ctx.db
    .delete(recipes)
    .where(and(eq(recipes.orgId, orgId), eq(recipes.name, name)))
    .returning();
  if (gone.length === 0) throw new ApiError('not_found', `recipe ${name} not found`);
}
