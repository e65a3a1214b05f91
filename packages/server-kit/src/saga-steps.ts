import { sleep } from '@apiary/protocol';
import type { Logger } from './logger.js';

/*
 * Sagas, as both daemons run them: steps forward with their progress journaled before and after
 * each one, and the undo of everything up to a failed step, in reverse. Undo keeps going past a
 * failing step (removing as much as it can) and reports what it could not remove, so the caller
 * keeps the work marked for cleanup rather than forget a leak. Where the journal lives (the
 * agent's or the controller's database) and who may run a saga is the caller's business.
 */

/**
 * One step. `run` and `undo` must both be idempotent: after a crash either may be repeated, in
 * part or in full, and must leave the same state.
 */
export interface SagaStep<C> {
  name: string;
  /** Skip this step here (e.g. egress rules for a VM without deny_outgoing). */
  when?(ctx: C): boolean;
  /** Run again on a resume even when journaled done: it loads what later steps read. */
  always?: boolean;
  run(ctx: C): Promise<void>;
  undo(ctx: C): Promise<void>;
}

export interface SagaJournal {
  begin(step: string): void | Promise<void>;
  complete(step: string): void | Promise<void>;
}

export type StepObserver = (
  phase: 'run' | 'undo',
  step: string,
  seconds: number,
  ok: boolean,
) => void;

export interface StepOptions {
  /** Errors a second attempt may not see (a device still closing, a lock held for a moment). */
  isTransient?: (error: unknown) => boolean;
  /** Told how long each step (or its undo) took. */
  observe?: StepObserver;
  log?: Logger;
}

export class StepFailure extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step ${step} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

async function attempt(
  task: () => Promise<void>,
  tries: number,
  retry: (error: unknown) => boolean,
): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await task();
    } catch (error) {
      if (i + 1 >= tries || !retry(error)) throw error;
      await sleep(150 * 2 ** i);
    }
  }
}

/** Runs the steps not yet `done`, in order; a step that fails throws `StepFailure`. */
export async function runForward<C>(
  steps: ReadonlyArray<SagaStep<C>>,
  ctx: C,
  journal: SagaJournal,
  done: ReadonlySet<string>,
  options: StepOptions = {},
): Promise<void> {
  const transient = options.isTransient ?? (() => false);
  for (const step of steps) {
    const skip = done.has(step.name) || (step.when && !step.when(ctx));
    if (skip && !step.always) continue;
    await journal.begin(step.name);
    const started = performance.now();
    try {
      await attempt(() => step.run(ctx), 3, transient);
    } catch (error) {
      options.observe?.('run', step.name, (performance.now() - started) / 1000, false);
      throw new StepFailure(step.name, error);
    }
    options.observe?.('run', step.name, (performance.now() - started) / 1000, true);
    await journal.complete(step.name);
  }
}

/**
 * Undoes steps in reverse, from `through` (inclusive: the step that failed may have half
 * happened) or from the last step when `through` is undefined (a delete). Returns the undos
 * that failed (each was tried a few times).
 */
export async function runUndo<C>(
  steps: ReadonlyArray<SagaStep<C>>,
  ctx: C,
  through: string | undefined,
  onStep?: (step: string) => void | Promise<void>,
  options: StepOptions = {},
): Promise<Array<{ step: string; error: unknown }>> {
  const last =
    through === undefined ? steps.length - 1 : steps.findIndex((s) => s.name === through);
  const failures: Array<{ step: string; error: unknown }> = [];
  for (let i = last; i >= 0; i--) {
    const step = steps[i] as SagaStep<C>;
    if (step.when && !step.when(ctx)) continue;
    await onStep?.(step.name);
    const started = performance.now();
    try {
      await attempt(
        () => step.undo(ctx),
        4,
        () => true,
      );
      options.observe?.('undo', step.name, (performance.now() - started) / 1000, true);
    } catch (error) {
      options.observe?.('undo', step.name, (performance.now() - started) / 1000, false);
      options.log?.warn({ step: step.name, error }, 'undo step failed');
      failures.push({ step: step.name, error });
    }
  }
  return failures;
}
