import { readFileSync } from 'node:fs';
import {
  CreateRecipeReq,
  describeStep,
  type Recipe,
  type RecipeRunResult,
  RecipeStep,
} from '@apiary/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { withContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import { details, table } from '../lib/output.js';

/*
 * `apiary recipes`: serial-console recipes for guests without cloud-init (issue 16). A recipe
 * file is JSON: `{ "name": ..., "description": ..., "steps": [...] }`. Secret values are read
 * from standard input, never from the command line (where `ps` and shell history would see
 * them).
 */

function renderRecipe(r: Recipe): string {
  return [
    details([
      ['name', r.name],
      ['version', r.version],
      ['builtin', r.builtin ? 'yes' : 'no'],
      ['description', r.description || '-'],
      ['updated', r.updated_at],
    ]),
    'steps:',
    ...r.steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`),
  ].join('\n');
}

function renderRun(r: RecipeRunResult): string {
  const head = details([
    ['vm', r.vm_id],
    ['recipe', `${r.recipe} v${r.version}`],
    ['state', r.state],
  ]);
  const failure = r.error ? `\nfailed: ${r.error.msg} (${r.error.code})` : '';
  return `${head}\ntranscript (secrets masked):\n${r.transcript ?? '(none)'}${failure}`;
}

/** A recipe file: the body of POST /v1/recipes, `name` from --name when given. */
function readRecipeFile(file: string, name?: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
  const input = z
    .object({ steps: z.array(RecipeStep) })
    .passthrough()
    .safeParse(parsed);
  if (!input.success) throw new UsageError(`${file}: a recipe is { name, description, steps }`);
  const body = CreateRecipeReq.safeParse({ ...(parsed as object), ...(name ? { name } : {}) });
  if (!body.success) {
    const first = body.error.issues[0];
    throw new UsageError(`${file}: ${first?.path.join('.') || '(file)'}: ${first?.message}`);
  }
  return body.data;
}

/** `NAME` or `NAME@VERSION` (`--version` is the program's own flag). */
function recipeRef(ref: string): { name: string; version?: number } {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { name: ref };
  const version = Number(ref.slice(at + 1));
  if (!(Number.isInteger(version) && version >= 1))
    throw new UsageError(`${ref}: the version after @ is a whole number from 1`);
  return { name: ref.slice(0, at), version };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export function registerRecipes(program: Command): void {
  const recipes = program
    .command('recipes')
    .description('serial-console recipes for guests without cloud-init');

  recipes
    .command('list')
    .description('list recipes (built-in ones and the newest version of each of yours)')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, o: { org?: string }) => {
        const page = await ctx.client().listRecipes({ query: o.org ? { org: o.org } : {} });
        ctx.out.result(page.items, (items) =>
          table(
            ['NAME', 'VERSION', 'STEPS', 'BUILTIN', 'DESCRIPTION'],
            items.map((r) => [
              r.name,
              r.version,
              r.steps.length,
              r.builtin ? 'yes' : '',
              r.description,
            ]),
          ),
        );
      }),
    );

  recipes
    .command('show <recipe>')
    .description('show a recipe: its newest version, or NAME@VERSION')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, ref: string, o: { org?: string }) => {
        const { name, version } = recipeRef(ref);
        const recipe = await ctx.client().getRecipe({
          params: { name },
          query: { ...(version ? { version } : {}), ...(o.org ? { org: o.org } : {}) },
        });
        ctx.out.result(recipe, renderRecipe);
      }),
    );

  recipes
    .command('create <file>')
    .description('store a recipe from a JSON file; --new-version adds a version to an existing one')
    .option('--name <name>', 'recipe name (default: the file\'s "name")')
    .option('--new-version', 'store the next version of an existing recipe (PUT)')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(
        async (ctx, file: string, o: { name?: string; newVersion?: boolean; org?: string }) => {
          const body = readRecipeFile(file, o.name);
          const query = o.org ? { org: o.org } : {};
          const client = ctx.client();
          const recipe = o.newVersion
            ? await client.putRecipe({
                params: { name: body.name },
                query,
                body: { description: body.description, steps: body.steps },
              })
            : await client.createRecipe({ query, body });
          ctx.out.result(recipe, renderRecipe);
        },
      ),
    );

  recipes
    .command('delete <name>')
    .description('delete a recipe, every version (VMs keep what they ran)')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, name: string, o: { org?: string }) => {
        await ctx.client().deleteRecipe({ params: { name }, query: o.org ? { org: o.org } : {} });
        ctx.out.result({ ok: true, name }, () => `deleted recipe ${name}`);
      }),
    );

  recipes
    .command('test <recipe>')
    .description(
      "run a recipe (NAME or NAME@VERSION) on a running VM's serial console now; show the transcript",
    )
    .requiredOption('--vm <id>', 'the VM')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, ref: string, o: { vm: string; org?: string }) => {
        const { name, version } = recipeRef(ref);
        const run = await ctx.client().runVmRecipe(
          {
            params: { id: o.vm },
            query: o.org ? { org: o.org } : {},
            body: { recipe: name, ...(version ? { version } : {}) },
          },
          // A recipe's waits may add up to many minutes.
          { timeoutMs: 3600_000 },
        );
        ctx.out.result(run, renderRun);
        if (run.state === 'failed') process.exitCode = 1;
      }),
    );

  const secrets = recipes
    .command('secrets')
    .description('secrets recipes reference as {{secret:NAME}} (values never shown)');
  secrets
    .command('list')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, o: { org?: string }) => {
        const page = await ctx.client().listSecrets({ query: o.org ? { org: o.org } : {} });
        ctx.out.result(page.items, (items) =>
          table(
            ['NAME', 'UPDATED'],
            items.map((s) => [s.name, s.updated_at]),
          ),
        );
      }),
    );
  secrets
    .command('set <name>')
    .description('set a secret; its value is read from standard input')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, name: string, o: { org?: string }) => {
        const value = await readStdin();
        if (value === '') throw new UsageError('give the value on standard input');
        const secret = await ctx.client().putSecret({
          params: { name },
          query: o.org ? { org: o.org } : {},
          body: { value },
        });
        ctx.out.result(secret, (s) => `secret ${s.name} set`);
      }),
    );
  secrets
    .command('delete <name>')
    .option('--org <id>', 'organization (super-admins)')
    .action(
      withContext(async (ctx, name: string, o: { org?: string }) => {
        await ctx.client().deleteSecret({ params: { name }, query: o.org ? { org: o.org } : {} });
        ctx.out.result({ ok: true, name }, () => `deleted secret ${name}`);
      }),
    );
}
