import { sleep } from '@apiary/protocol';
import { failedWith } from '../host/host-command-error.js';
import type { SagaStep } from './saga-step.js';
import type { VmContext } from './vm-context.js';

/*
 * Running a saga: steps forward with their progress journaled before and after each one, and
 * the undo of everything up to a failed step in reverse. Undo keeps going past a failing step
 * (removing as much as it can) and reports what it could not remove, so the caller can keep
 * the VM marked for cleanup rather than forget a leak.
 */

export interface SagaJournal {
  begin(step: string): void;
  complete(step: string): void;
}

export class StepFailure extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`step ${step} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** Errors a second attempt may not see (a zvol still closing, a lock held for a moment). */
export function isTransient(error: unknown): boolean {
  return failedWith(error, 'dataset is busy', 'Resource temporarily unavailable', 'Device busy');
}

async function attempt(task: () => Promise<void>, tries: number, retryAll: boolean): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await task();
    } catch (error) {
      if (i + 1 >= tries || !(retryAll || isTransient(error))) throw error;
      await sleep(150 * 2 ** i);
    }
  }
}

export async function runForward(
  steps: SagaStep[],
  ctx: VmContext,
  journal: SagaJournal,
  done: ReadonlySet<string>,
): Promise<void> {
  for (const step of steps) {
    if (done.has(step.name) || (step.when && !step.when(ctx))) {
      // `image` also loads ctx.image, which later steps read: always re-run it.
      if (step.name !== 'image') continue;
    }
    journal.begin(step.name);
    const started = performance.now();
    try {
      await attempt(() => step.run(ctx), 3, false);
    } catch (error) {
      ctx.observeStep?.('run', step.name, (performance.now() - started) / 1000, false);
      throw new StepFailure(step.name, error);
    }
    ctx.observeStep?.('run', step.name, (performance.now() - started) / 1000, true);
    journal.complete(step.name);
  }
}

/**
 * Undo steps in reverse, from `through` (inclusive; the step that failed may have half
 * happened) or from the last step when `through` is undefined (delete).
 */
export async function runUndo(
  steps: SagaStep[],
  ctx: VmContext,
  through?: string,
  onStep?: (step: string) => void,
): Promise<Array<{ step: string; error: unknown }>> {
  const last =
    through === undefined ? steps.length - 1 : steps.findIndex((s) => s.name === through);
  const failures: Array<{ step: string; error: unknown }> = [];
  for (let i = last; i >= 0; i--) {
    const step = steps[i] as SagaStep;
    if (step.when && !step.when(ctx)) continue;
    onStep?.(step.name);
    const started = performance.now();
    try {
      await attempt(() => step.undo(ctx), 4, true);
      ctx.observeStep?.('undo', step.name, (performance.now() - started) / 1000, true);
    } catch (error) {
      ctx.observeStep?.('undo', step.name, (performance.now() - started) / 1000, false);
      ctx.log.warn({ vm_id: ctx.vm.id, step: step.name, error }, 'undo step failed');
      failures.push({ step: step.name, error });
    }
  }
  return failures;
}
