import {
  runForward as runSteps,
  type SagaJournal,
  StepFailure,
  runUndo as undoSteps,
} from '@apiary/server-kit';
import { failedWith } from '../host/host-command-error.js';
import type { SagaStep } from './saga-step.js';
import type { VmContext } from './vm-context.js';

/*
 * A VM's sagas on the shared step runner (server-kit's saga-steps.ts), with what is particular
 * to a host: which command failures are worth a second attempt, and the step metrics and log
 * of the VM's context.
 */

export { type SagaJournal, StepFailure };

/** Errors a second attempt may not see (a zvol still closing, a lock held for a moment). */
export function isTransient(error: unknown): boolean {
  return failedWith(error, 'dataset is busy', 'Resource temporarily unavailable', 'Device busy');
}

const options = (ctx: VmContext) => ({ isTransient, observe: ctx.observeStep, log: ctx.log });

export function runForward(
  steps: SagaStep[],
  ctx: VmContext,
  journal: SagaJournal,
  done: ReadonlySet<string>,
): Promise<void> {
  return runSteps(steps, ctx, journal, done, options(ctx));
}

/**
 * Undo steps in reverse, from `through` (inclusive; the step that failed may have half
 * happened) or from the last step when `through` is undefined (delete).
 */
export function runUndo(
  steps: SagaStep[],
  ctx: VmContext,
  through?: string,
  onStep?: (step: string) => void,
): Promise<Array<{ step: string; error: unknown }>> {
  return undoSteps(steps, ctx, through, onStep, options(ctx));
}
