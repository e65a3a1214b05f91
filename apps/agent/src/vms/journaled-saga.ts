import type { FailureInfo } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { type OperationRow, updateOperation } from './operation-store.js';
import { runForward, runUndo, StepFailure } from './saga.js';
import type { SagaStep } from './saga-step.js';
import type { VmContext } from './vm-context.js';
import { toFailure } from './vm-view.js';

/*
 * An operation's saga journaled on its operation row, as the change, export and import-commit
 * operations run it: `step` is the step begun (`undo:<step>` while undoing), `doneSteps` the
 * steps finished. Called again for an operation an agent restart cut short, it goes on where
 * the row says: the rest of the steps (done ones skipped), or the rest of the undo. What the
 * operation's end does to the VM and its other records is the caller's: it gets the outcome.
 */

/** The journaled step of an operation that is undoing: `undo:<step being undone>`. */
const UNDO = 'undo:';

export type SagaOutcome =
  | { result: 'succeeded' }
  /**
   * A step failed and everything through it was undone; `left` names the undos that failed.
   * `resumed`: the undo was one an agent restart had cut short (`failure` is the one recorded
   * when it began).
   */
  | { result: 'undone'; failure: FailureInfo; left: string[]; resumed: boolean }
  /** A step `undoable` refused failed: nothing was undone, the work stands as it got. */
  | { result: 'stuck'; failure: FailureInfo };

export interface JournaledSaga {
  db: Db;
  op: OperationRow;
  steps: SagaStep[];
  ctx: VmContext;
  /** The failure's text when a cut-short undo is found with no failure recorded. */
  restartedMsg: string;
  /** False for a step past a point of no return: a failure there is not undone. */
  undoable?: (step: string) => boolean;
}

export async function runJournaledSaga(saga: JournaledSaga): Promise<SagaOutcome> {
  const { db, op, steps, ctx } = saga;
  const known = (step: string | null | undefined) =>
    steps.some((s) => s.name === step) ? (step as string) : undefined;
  const undoThrough = async (through: string | undefined): Promise<string[]> => {
    const left = await runUndo(steps, ctx, through, (step) =>
      updateOperation(db, op.id, { step: `${UNDO}${step}` }),
    );
    updateOperation(db, op.id, { doneSteps: '[]' });
    return left.map((l) => l.step);
  };

  if (op.step?.startsWith(UNDO)) {
    const failure: FailureInfo = op.errorCode
      ? { code: op.errorCode, msg: op.errorMsg ?? '' }
      : { code: 'internal', msg: saga.restartedMsg };
    // A step name this agent does not know (renamed since): undo all of it, every undo is safe.
    const left = await undoThrough(known(op.step.slice(UNDO.length)));
    return { result: 'undone', failure, left, resumed: true };
  }

  const done = new Set<string>(JSON.parse(op.doneSteps) as string[]);
  // The last step begun: after a crash, the one that was running (it may have happened in full).
  let begun = known(op.step);
  try {
    await runForward(
      steps,
      ctx,
      {
        begin: (step) => {
          begun = step;
          updateOperation(db, op.id, { step });
        },
        complete: (step) => {
          done.add(step);
          updateOperation(db, op.id, { doneSteps: JSON.stringify([...done]) });
        },
      },
      done,
    );
    return { result: 'succeeded' };
  } catch (error) {
    const failure = toFailure(error);
    const through = error instanceof StepFailure ? error.step : begun;
    if (through && saga.undoable && !saga.undoable(through)) return { result: 'stuck', failure };
    // Kept with the operation before the undo starts: an agent killed during it reports this.
    updateOperation(db, op.id, { error: failure });
    // No step begun (none in this run, none journaled before it): nothing to undo.
    const left = through ? await undoThrough(through) : [];
    return { result: 'undone', failure, left, resumed: false };
  }
}

/** The failure with the undos that failed named (at most 500 characters, as operations keep). */
export function withLeftovers(failure: FailureInfo, left: string[]): FailureInfo {
  const msg = left.length > 0 ? `${failure.msg}; the undo left: ${left.join(', ')}` : failure.msg;
  return { ...failure, msg: msg.slice(0, 500) };
}
