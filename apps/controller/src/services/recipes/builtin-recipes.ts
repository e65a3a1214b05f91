import type { RecipeStep } from '@apiary/protocol';

/** A recipe shipped with Apiary: every organization sees it, nobody changes it. */
export interface BuiltinRecipe {
  name: string;
  description: string;
  steps: RecipeStep[];
}

/** A shell prompt at its end: `root@node:~# ` (bash), `node:~# ` (ash), `$ ` for others. */
const PROMPT = '[#$] $';

/**
 * The guests the simulator's serial console plays, and real ones that look alike: a getty
 * `login:` prompt (illumos ttymon's `<node> console login: `, agetty's `<node> login: `), a
 * `Password:` prompt, a shell. The root password is the organization's secret
 * `root_password`. An empty line first: a console attached after the prompt was printed shows
 * nothing until the getty is asked again.
 */
export const BUILTIN_RECIPES: BuiltinRecipe[] = [
  {
    name: 'illumos-login-hostname',
    description:
      'Log in as root on the serial console (secret root_password), set the hostname to the VM name, log out',
    steps: [
      { send: { line: '' } },
      { wait_for: { pattern: 'login: ', regex: false, timeout_ms: 120_000 } },
      { send: { line: 'root' } },
      { wait_for: { pattern: 'Password:', regex: false, timeout_ms: 30_000 } },
      { send: { line: '{{secret:root_password}}' } },
      { wait_for: { pattern: PROMPT, regex: true, timeout_ms: 30_000 } },
      { send: { line: 'hostname {{hostname}}' } },
      { wait_for: { pattern: `{{hostname}}:~${PROMPT}`, regex: true, timeout_ms: 30_000 } },
      { send: { line: 'exit' } },
      { wait_for: { pattern: 'login: ', regex: false, timeout_ms: 30_000 } },
    ],
  },
];

export function builtinRecipe(name: string): BuiltinRecipe | undefined {
  return BUILTIN_RECIPES.find((r) => r.name === name);
}
