import {
  type AgentRecipeRunReqInput,
  fillPlaceholders,
  type Recipe,
  type RecipeRunResult,
  type RecipeStep,
  recipeSecrets,
} from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { agentFor } from '../envs/agent-vm-ops.js';
import type { VmRow } from '../envs/env-view.js';
import { waitForOperation } from '../envs/wait-operation.js';
import { openSecrets } from './org-secrets.js';

/** What the controller knows of a VM that a recipe may use (the agent adds ip and gateway). */
export interface RecipeVmFacts {
  hostname: string;
  sshKeys: string[];
}

/**
 * Fills `{{hostname}}` and `{{ssh_keys}}` (the keys one per line, joined with a literal `\n`
 * so the line stays one line: `printf '{{ssh_keys}}\n' >> .ssh/authorized_keys`). Secrets,
 * `{{ip}}` and `{{gateway}}` are left for the agent.
 */
export function fillRecipe(steps: RecipeStep[], facts: RecipeVmFacts): RecipeStep[] {
  const values = (name: string) =>
    name === 'hostname'
      ? facts.hostname
      : name === 'ssh_keys'
        ? facts.sshKeys.join('\\n')
        : undefined;
  return steps.map((step) => {
    if ('send' in step) return { send: { line: fillPlaceholders(step.send.line, values) } };
    if ('wait_for' in step) {
      const pattern = fillPlaceholders(step.wait_for.pattern, (name) => {
        const v = values(name);
        // A value inside a regular expression matches itself, literally.
        return v !== undefined && step.wait_for.regex ? escapeRegExp(v) : v;
      });
      return { wait_for: { ...step.wait_for, pattern } };
    }
    return step;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Runs `recipe` on the VM's serial console through its agent and records the outcome on the
 * VM (`recipe`, `recipe_version`, `recipe_state`, `recipe_transcript`). The secrets' values are
 * opened here and go in the request body to the agent, nowhere else.
 */
export async function runRecipeOnVm(
  ctx: Ctx,
  vm: VmRow,
  recipe: Recipe,
  facts: RecipeVmFacts,
  signal: AbortSignal,
): Promise<RecipeRunResult> {
  const { vms } = ctx.t;
  const steps = fillRecipe(recipe.steps, facts);
  const secrets = await openSecrets(ctx, vm.orgId, recipeSecrets(steps));
  const client = await agentFor(ctx, vm);
  const body: AgentRecipeRunReqInput = {
    recipe: { name: recipe.name, version: recipe.version },
    steps,
    secrets,
  };
  await ctx.db
    .update(vms)
    .set({ recipe: recipe.name, recipeVersion: recipe.version, recipeState: 'pending' })
    .where(eq(vms.id, vm.id));
  const { operation } = await client.runRecipe({ params: { id: vm.id }, body });
  const done = await waitForOperation(ctx, client, operation, signal);
  const state = done.state === 'succeeded' ? 'succeeded' : 'failed';
  const transcript = done.transcript ?? null;
  await ctx.db
    .update(vms)
    .set({ recipeState: state, recipeTranscript: transcript, updatedAt: ctx.clock.now() })
    .where(eq(vms.id, vm.id));
  ctx.log.info(
    { vm_id: vm.id, recipe: recipe.name, version: recipe.version, state },
    'recipe run finished',
  );
  const error =
    state === 'failed'
      ? (done.error ?? { code: 'recipe_failed', msg: `recipe ${recipe.name} failed` })
      : null;
  return {
    vm_id: vm.name,
    recipe: recipe.name,
    version: recipe.version,
    state,
    transcript,
    error,
  };
}
