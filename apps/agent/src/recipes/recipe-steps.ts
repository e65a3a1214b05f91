import { describeStep, fillPlaceholders, type RecipeStep } from '@apiary/protocol';
import type { Transcript } from './transcript.js';

/** A console a recipe talks to: what it types and what the guest prints. */
export interface ConsoleLink {
  write(text: string): void;
  onData(listener: (text: string) => void): void;
  /** Resolves with a reason when the console went away (zlogin exited). */
  closed: Promise<string>;
}

/** Why a step failed: its number (1-based) and description (secrets by name only). */
export class RecipeStepError extends Error {
  constructor(
    readonly step: number,
    readonly description: string,
    readonly why: string,
  ) {
    super(`step ${step} (${description}) failed: ${why}`);
  }
}

/** What is searched for a pattern: the output since the last match, its tail at most. */
const MAX_UNMATCHED = 64 * 1024;

/**
 * Runs a recipe's steps over a console, as expect(1) does: `wait_for` looks at what arrived
 * since the previous match (a pattern met before the wait began counts), `send` types the line
 * and a carriage return (Enter on a terminal in raw mode), `sleep` waits. Secret placeholders
 * (and the VM's address) are filled at the moment a line is typed, so nothing else ever holds their values.
 */
export async function runRecipeSteps(
  link: ConsoleLink,
  steps: RecipeStep[],
  /** The value of a placeholder (`secret:NAME`, `ip`, `gateway`), filled in as a line is typed. */
  values: (name: string) => string | undefined,
  transcript: Transcript,
  onStep: (n: number, step: RecipeStep) => void = () => {},
): Promise<void> {
  let unmatched = '';
  let wake = () => {};
  link.onData((text) => {
    transcript.append(text);
    unmatched = (unmatched + text).slice(-MAX_UNMATCHED);
    wake();
  });
  let closedWhy: string | undefined;
  void link.closed.then((why) => {
    closedWhy = why;
    wake();
  });
  const fill = (text: string) => fillPlaceholders(text, values);
  for (const [i, step] of steps.entries()) {
    const n = i + 1;
    onStep(n, step);
    const fail = (why: string) => new RecipeStepError(n, describeStep(step), why);
    if ('sleep' in step) {
      await new Promise((r) => setTimeout(r, step.sleep.ms));
      continue;
    }
    if (closedWhy !== undefined) throw fail(`the console closed: ${closedWhy}`);
    if ('send' in step) {
      link.write(`${fill(step.send.line)}\r`);
      continue;
    }
    const { pattern, regex, timeout_ms } = step.wait_for;
    const wanted = fill(pattern);
    const re = regex ? new RegExp(wanted) : undefined;
    const find = (): number | undefined => {
      if (re) {
        const m = re.exec(unmatched);
        return m ? m.index + m[0].length : undefined;
      }
      const at = unmatched.indexOf(wanted);
      return at < 0 ? undefined : at + wanted.length;
    };
    const deadline = Date.now() + timeout_ms;
    for (;;) {
      const end = find();
      if (end !== undefined) {
        unmatched = unmatched.slice(end);
        break;
      }
      if (closedWhy !== undefined) throw fail(`the console closed: ${closedWhy}`);
      const left = deadline - Date.now();
      if (left <= 0) throw fail(`no match within ${timeout_ms} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
