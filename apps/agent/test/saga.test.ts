import { silentLogger } from '@apiary/server-kit';
import { describe, expect, it } from 'vitest';
import { HostCommandError } from '../src/host/host-command-error.js';
import { runForward, runUndo, StepFailure } from '../src/vms/saga.js';
import type { SagaStep } from '../src/vms/saga-step.js';
import type { VmContext } from '../src/vms/vm-context.js';

const ctx = { log: silentLogger(), vm: { id: 'vm-1' } } as unknown as VmContext;

function recorder() {
  const events: string[] = [];
  const failures = new Map<string, Error[]>();
  const step = (name: string): SagaStep => ({
    name,
    async run() {
      events.push(`run:${name}`);
      const queue = failures.get(`run:${name}`);
      const error = queue?.shift();
      if (error) throw error;
    },
    async undo() {
      events.push(`undo:${name}`);
      const queue = failures.get(`undo:${name}`);
      const error = queue?.shift();
      if (error) throw error;
    },
  });
  const failNext = (key: string, ...errors: Error[]) => failures.set(key, errors);
  return { events, step, failNext };
}

const hostError = (stderr: string) =>
  new HostCommandError({
    argv: ['zfs', 'destroy'],
    exitCode: 1,
    stdout: '',
    stderr,
    timedOut: false,
  });

describe('runForward', () => {
  it('journals each step before and after it runs', async () => {
    const { step } = recorder();
    const journal: string[] = [];
    await runForward(
      [step('a'), step('b')],
      ctx,
      {
        begin: (s) => {
          journal.push(`begin:${s}`);
        },
        complete: (s) => {
          journal.push(`done:${s}`);
        },
      },
      new Set(),
    );
    expect(journal).toEqual(['begin:a', 'done:a', 'begin:b', 'done:b']);
  });

  it('skips steps already done (resume after a crash)', async () => {
    const { events, step } = recorder();
    await runForward(
      [step('a'), step('b'), step('c')],
      ctx,
      { begin() {}, complete() {} },
      new Set(['a', 'b']),
    );
    expect(events).toEqual(['run:c']);
  });

  it('skips steps whose condition does not hold', async () => {
    const { events, step } = recorder();
    const conditional = { ...step('egress'), when: () => false };
    await runForward([step('a'), conditional], ctx, { begin() {}, complete() {} }, new Set());
    expect(events).toEqual(['run:a']);
  });

  it('retries a transient host error and then goes on', async () => {
    const { events, step, failNext } = recorder();
    failNext('run:a', hostError("cannot destroy 'x': dataset is busy"));
    await runForward([step('a')], ctx, { begin() {}, complete() {} }, new Set());
    expect(events).toEqual(['run:a', 'run:a']);
  });

  it('stops at the first real failure and names the step', async () => {
    const { events, step, failNext } = recorder();
    failNext('run:b', hostError('zoneadm: boom'));
    const error = await runForward(
      [step('a'), step('b'), step('c')],
      ctx,
      { begin() {}, complete() {} },
      new Set(),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).step).toBe('b');
    expect(events).toEqual(['run:a', 'run:b']);
  });
});

describe('runUndo', () => {
  it('undoes from the failed step back to the first, in reverse', async () => {
    const { events, step } = recorder();
    const failures = await runUndo([step('a'), step('b'), step('c')], ctx, 'b');
    expect(failures).toEqual([]);
    expect(events).toEqual(['undo:b', 'undo:a']);
  });

  it('undoes everything when no step is given (delete)', async () => {
    const { events, step } = recorder();
    await runUndo([step('a'), step('b')], ctx);
    expect(events).toEqual(['undo:b', 'undo:a']);
  });

  it('retries an undo that fails, whatever the error', async () => {
    const { events, step, failNext } = recorder();
    failNext('undo:a', new Error('once'), new Error('twice'));
    expect(await runUndo([step('a')], ctx)).toEqual([]);
    expect(events).toEqual(['undo:a', 'undo:a', 'undo:a']);
  });

  it('keeps undoing past a step that cannot be undone, and reports it', async () => {
    const { events, step, failNext } = recorder();
    const stuck = new Error('stuck');
    failNext('undo:b', stuck, stuck, stuck, stuck);
    const failures = await runUndo([step('a'), step('b'), step('c')], ctx);
    expect(failures).toEqual([{ step: 'b', error: stuck }]);
    expect(events.filter((e) => e === 'undo:a')).toHaveLength(1);
    expect(events[0]).toBe('undo:c');
  });
});
