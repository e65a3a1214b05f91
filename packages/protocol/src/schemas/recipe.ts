import { z } from 'zod';
import { Timestamp } from './common.js';

/*
 * Recipes: what configures a guest without cloud-init over its serial console (the path of
 * `zlogin -C`). A recipe is a list of steps, run in order: `wait_for` output matching a pattern
 * (literal, or a regular expression with `regex: true`) within `timeout_ms`, `send` a line
 * (followed by a carriage return, as a typist's Enter), `sleep`. Lines and patterns may hold
 * `{{hostname}}`, `{{ip}}`, `{{gateway}}`, `{{ssh_keys}}` (filled from the VM) and
 * `{{secret:NAME}}` (an organization's secret: the recipe holds its name only; its value goes to
 * the agent for the run and is masked in the transcript).
 */

export const RECIPE_LIMITS = {
  steps: 100,
  line: 4096,
  pattern: 1024,
  timeoutMs: 600_000,
  sleepMs: 600_000,
} as const;

/** A recipe's name (`illumos-login-hostname`): like an image name. */
export const RecipeName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'must be 1-63 lowercase letters, digits, dots, dashes or underscores, starting alphanumeric',
  )
  .refine((s) => !s.includes('..'), 'must not contain ..');
export type RecipeName = z.infer<typeof RecipeName>;

/** An organization secret's name, as `{{secret:NAME}}` references it. */
export const SecretName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
    'must be 1-64 letters, digits or _, not starting with a digit',
  );
export type SecretName = z.infer<typeof SecretName>;

/** The variables a recipe may use, besides `secret:NAME`. */
export const RECIPE_VARIABLES = ['hostname', 'ip', 'gateway', 'ssh_keys'] as const;
export type RecipeVariable = (typeof RECIPE_VARIABLES)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** What `{{...}}` in a text refers to: variables and secret names; unknown ones as problems. */
export function recipePlaceholders(text: string): {
  variables: RecipeVariable[];
  secrets: string[];
  unknown: string[];
} {
  const variables = new Set<RecipeVariable>();
  const secrets = new Set<string>();
  const unknown = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) {
    const inner = m[1] as string;
    if ((RECIPE_VARIABLES as readonly string[]).includes(inner))
      variables.add(inner as RecipeVariable);
    else if (inner.startsWith('secret:') && SecretName.safeParse(inner.slice(7)).success)
      secrets.add(inner.slice(7));
    else unknown.add(inner);
  }
  return { variables: [...variables], secrets: [...secrets], unknown: [...unknown] };
}

/**
 * Replaces each `{{name}}` of a text with `values(name)` (a string), or leaves it when that is
 * undefined. One pass: a value holding `{{...}}` is not expanded again.
 */
export function fillPlaceholders(text: string, values: (name: string) => string | undefined) {
  return text.replace(PLACEHOLDER, (whole, inner: string) => values(inner) ?? whole);
}

const noUnknownPlaceholders = (text: string, ctx: z.RefinementCtx) => {
  const { unknown } = recipePlaceholders(text);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown placeholder {{${unknown[0]}}}: use {{hostname}}, {{ip}}, {{gateway}}, {{ssh_keys}} or {{secret:NAME}}`,
    });
  }
};

const WaitForStep = z.strictObject({
  wait_for: z
    .strictObject({
      pattern: z.string().min(1).max(RECIPE_LIMITS.pattern).superRefine(noUnknownPlaceholders),
      /** The pattern is a JavaScript regular expression (default: a literal text). */
      regex: z.boolean().default(false),
      timeout_ms: z.int().min(1).max(RECIPE_LIMITS.timeoutMs).default(30_000),
    })
    .superRefine((w, ctx) => {
      if (!w.regex) return;
      try {
        new RegExp(w.pattern);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['pattern'],
          message: `not a regular expression: ${(error as Error).message}`,
        });
      }
    }),
});

const SendStep = z.strictObject({
  send: z.strictObject({
    line: z
      .string()
      .max(RECIPE_LIMITS.line)
      // A line is typed and ended with Enter: a newline inside would be two lines.
      .refine((s) => !/[\r\n]/.test(s), 'a line holds no CR or LF (one send per line)')
      .superRefine(noUnknownPlaceholders),
  }),
});

const SleepStep = z.strictObject({
  sleep: z.strictObject({ ms: z.int().min(0).max(RECIPE_LIMITS.sleepMs) }),
});

export const RecipeStep = z.union([WaitForStep, SendStep, SleepStep]);
export type RecipeStep = z.infer<typeof RecipeStep>;
export type RecipeStepInput = z.input<typeof RecipeStep>;

export const RecipeSteps = z.array(RecipeStep).min(1).max(RECIPE_LIMITS.steps);

/** One line describing a step, for transcripts and errors (`wait_for "login:"`). */
export function describeStep(step: RecipeStep): string {
  if ('wait_for' in step)
    return `wait_for ${step.wait_for.regex ? '/' : '"'}${step.wait_for.pattern}${step.wait_for.regex ? '/' : '"'}`;
  if ('send' in step) return `send "${step.send.line}"`;
  return `sleep ${step.sleep.ms} ms`;
}

/** The secrets a recipe's steps reference. */
export function recipeSecrets(steps: RecipeStep[]): string[] {
  const names = new Set<string>();
  for (const step of steps) {
    const text = 'send' in step ? step.send.line : 'wait_for' in step ? step.wait_for.pattern : '';
    for (const s of recipePlaceholders(text).secrets) names.add(s);
  }
  return [...names];
}

/** A recipe as the controller keeps it (`builtin`: shipped with Apiary, read-only). */
export const Recipe = z.object({
  name: RecipeName,
  version: z.int().min(1),
  description: z.string(),
  steps: z.array(RecipeStep),
  builtin: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Recipe = z.infer<typeof Recipe>;

/** `POST /v1/recipes`. */
export const CreateRecipeReq = z.strictObject({
  name: RecipeName,
  description: z.string().max(500).default(''),
  steps: RecipeSteps,
});
export type CreateRecipeReq = z.infer<typeof CreateRecipeReq>;
export type CreateRecipeReqInput = z.input<typeof CreateRecipeReq>;

/** `PUT /v1/recipes/{name}`: a new version of the recipe. */
export const PutRecipeReq = CreateRecipeReq.omit({ name: true });
export type PutRecipeReq = z.infer<typeof PutRecipeReq>;

/**
 * `POST /api/vms/{id}/recipe-runs` on an agent: a recipe with `{{hostname}}` and `{{ssh_keys}}`
 * filled in by the controller (the agent fills `{{ip}}` and `{{gateway}}` from the VM's primary
 * NIC) and the values of the secrets it references. The agent keeps the secrets in
 * memory for the run only and masks them in the transcript.
 */
export const AgentRecipeRunReq = z
  .strictObject({
    recipe: z.strictObject({ name: RecipeName, version: z.int().min(1) }),
    steps: RecipeSteps,
    secrets: z.record(SecretName, z.string().min(1).max(RECIPE_LIMITS.line)).default({}),
  })
  .superRefine((r, ctx) => {
    for (const name of recipeSecrets(r.steps)) {
      if (r.secrets[name] === undefined)
        ctx.addIssue({ code: 'custom', path: ['secrets'], message: `no value for secret ${name}` });
    }
    for (const step of r.steps) {
      const text =
        'send' in step ? step.send.line : 'wait_for' in step ? step.wait_for.pattern : '';
      // The agent fills in what it knows of the VM's network: {{ip}} and {{gateway}}.
      const left = recipePlaceholders(text).variables.filter((v) => v !== 'ip' && v !== 'gateway');
      if (left.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: `{{${left[0]}}} must be filled in before the recipe reaches the agent`,
        });
    }
  });
export type AgentRecipeRunReq = z.infer<typeof AgentRecipeRunReq>;
export type AgentRecipeRunReqInput = z.input<typeof AgentRecipeRunReq>;

/** `GET /v1/recipes/{name}?version=N` (absent: the newest). */
export const GetRecipeQuery = z.strictObject({
  version: z.coerce.number().int().min(1).optional(),
  org: z.string().optional(),
});

/** An organization's secret as the API shows it: never its value. */
export const OrgSecret = z.object({
  name: SecretName,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type OrgSecret = z.infer<typeof OrgSecret>;

/** `PUT /v1/secrets/{name}`. */
export const PutSecretReq = z.strictObject({
  value: z
    .string()
    .min(1)
    .max(RECIPE_LIMITS.line)
    .refine((s) => !/[\r\n]/.test(s), 'one line'),
});

/** `POST /v1/vms/{id}/recipe-runs`: run a recipe (its newest version, or `version`) now. */
export const RunRecipeReq = z.strictObject({
  recipe: RecipeName,
  version: z.int().min(1).optional(),
});
export type RunRecipeReq = z.infer<typeof RunRecipeReq>;

/** The last recipe run of a VM: which recipe and version, how it ended, its masked transcript. */
export const VmRecipeRun = z.object({
  recipe: RecipeName,
  version: z.int().min(1),
  /** `pending` until the VM's first boot has run it. */
  state: z.enum(['pending', 'succeeded', 'failed']),
  transcript: z.string().nullable(),
});
export type VmRecipeRun = z.infer<typeof VmRecipeRun>;

/** A finished run (`POST /v1/vms/{id}/recipe-runs`): the VM's run and why it failed, if it did. */
export const RecipeRunResult = VmRecipeRun.extend({
  vm_id: z.string(),
  error: z.object({ code: z.string(), msg: z.string() }).nullable(),
});
export type RecipeRunResult = z.infer<typeof RecipeRunResult>;
