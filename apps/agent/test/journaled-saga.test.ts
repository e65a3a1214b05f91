import { join } from 'node:path';
import { silentLogger } from '@apiary/server-kit';
import { describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../src/db/open.js';
import { runJournaledSaga, withLeftovers } from '../src/vms/journaled-saga.js';
import { getOperation, insertOperation, updateOperation } from '../src/vms/operation-store.js';
import type { SagaStep } from '../src/vms/saga-step.js';
import type { VmContext } from '../src/vms/vm-context.js';
import { tempDir } from './helpers/temp.js';

/*
 * The journal the change, export and import-commit operations share: what it writes on the
 * operation row, and how a second call for the same row (an agent restarted) goes on from it.
 */

const ctx = { log: silentLogger(), vm: { id: 'vm-1' } } as unknown as VmContext;

function fixture() {
  const db: Db = openDatabase(join(tempDir('journaled-saga'), 'agent.db'));
  const op = insertOperation(db, 'vm-1', 'update', null);
  const events: string[] = [];
  const failing = new Set<string>();
  const step = (name: string): SagaStep => ({
    name,
    async run() {
      events.push(`run:${name}`);
      if (failing.has(`run:${name}`)) throw new Error(`${name} broke`);
    },
    async undo() {
      events.push(`undo:${name}`);
      if (failing.has(`undo:${name}`)) throw new Error(`${name} stuck`);
    },
  });
  const steps = ['a', 'b', 'c'].map(step);
  const saga = (extra: { undoable?: (step: string) => boolean } = {}) => ({
    db,
    op: getOperation(db, op.id)!,
    steps,
    ctx,
    restartedMsg: 'restarted while undoing',
    ...extra,
  });
  return { db, op, events, failing, saga, row: () => getOperation(db, op.id)! };
}

describe('runJournaledSaga', () => {
  it('journals the step begun and the steps done on the operation', async () => {
    const f = fixture();
    expect(await runJournaledSaga(f.saga())).toEqual({ result: 'succeeded' });
    expect(f.events).toEqual(['run:a', 'run:b', 'run:c']);
    expect(f.row().step).toBe('c');
    expect(JSON.parse(f.row().doneSteps)).toEqual(['a', 'b', 'c']);
  });

  it('goes on after a restart from the journal: done steps skipped, the one begun run again', async () => {
    const f = fixture();
    updateOperation(f.db, f.op.id, { step: 'b', doneSteps: JSON.stringify(['a']) });
    expect(await runJournaledSaga(f.saga())).toEqual({ result: 'succeeded' });
    expect(f.events).toEqual(['run:b', 'run:c']);
  });

  it('undoes through the failed step, journaling the undo, and keeps the failure', async () => {
    const f = fixture();
    f.failing.add('run:b');
    const outcome = await runJournaledSaga(f.saga());
    expect(outcome).toMatchObject({ result: 'undone', left: [], resumed: false });
    expect(f.events).toEqual(['run:a', 'run:b', 'undo:b', 'undo:a']);
    expect(f.row()).toMatchObject({ step: 'undo:a', doneSteps: '[]', errorCode: 'internal' });
    expect(f.row().errorMsg).toContain('b broke');
  });

  it('names the undos that failed', async () => {
    const f = fixture();
    f.failing.add('run:b');
    f.failing.add('undo:a');
    const outcome = await runJournaledSaga(f.saga());
    expect(outcome).toMatchObject({ result: 'undone', left: ['a'] });
    if (outcome.result !== 'undone') return;
    expect(withLeftovers(outcome.failure, outcome.left).msg).toMatch(/; the undo left: a$/);
  });

  it('finishes an undo a restart cut short, from the step it had reached', async () => {
    const f = fixture();
    updateOperation(f.db, f.op.id, {
      step: 'undo:b',
      error: { code: 'host_command_failed', msg: 'c: zfs said no' },
    });
    const outcome = await runJournaledSaga(f.saga());
    expect(outcome).toEqual({
      result: 'undone',
      failure: { code: 'host_command_failed', msg: 'c: zfs said no' },
      left: [],
      resumed: true,
    });
    expect(f.events).toEqual(['undo:b', 'undo:a']);
  });

  it('reports the restart when a cut-short undo has no failure recorded', async () => {
    const f = fixture();
    updateOperation(f.db, f.op.id, { step: 'undo:a' });
    const outcome = await runJournaledSaga(f.saga());
    expect(outcome).toMatchObject({
      failure: { code: 'internal', msg: 'restarted while undoing' },
    });
  });

  it('leaves a failure past the point of no return as it stands: nothing undone', async () => {
    const f = fixture();
    f.failing.add('run:c');
    const outcome = await runJournaledSaga(f.saga({ undoable: (step) => step !== 'c' }));
    expect(outcome).toMatchObject({ result: 'stuck' });
    expect(f.events).toEqual(['run:a', 'run:b', 'run:c']);
    expect(f.row()).toMatchObject({ step: 'c', errorCode: null });
  });
});
