import { PassThrough } from 'node:stream';
import type { VmOperation } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { Output } from '../src/lib/output.js';
import { waitForOperation } from '../src/lib/wait-operation.js';
import { fakeOperation } from './fake-resources.js';

function operation(state: VmOperation['state'], step: string | null): VmOperation {
  return fakeOperation({
    kind: 'snapshot',
    state,
    step,
    error: state === 'failed' ? { code: 'host_command_failed', msg: 'zfs snapshot failed' } : null,
  });
}

/** A controller that answers the polls with `answers` in turn, recording what it was asked. */
function fakeController(answers: VmOperation[]) {
  const asked: unknown[] = [];
  return {
    asked,
    getVmOperation: async (input: unknown) => {
      asked.push(input);
      const next = answers.shift();
      if (!next) throw new Error('polled after the operation settled');
      return next;
    },
  };
}

function output() {
  const stderr = new PassThrough();
  return { out: new Output(false, new PassThrough(), stderr), lines: () => String(stderr.read()) };
}

describe('waitForOperation', () => {
  it('polls until the operation succeeds, printing each state and step once', async () => {
    const client = fakeController([
      operation('running', 'reserve'),
      operation('running', 'reserve'),
      operation('running', 'agent'),
      operation('succeeded', 'record'),
    ]);
    const { out, lines } = output();
    const done = await waitForOperation(client, operation('pending', null), out, {
      intervalMs: 1,
      org: 'org_a',
    });
    expect(done.state).toBe('succeeded');
    expect(lines()).toBe(
      [
        'snapshot web-1: pending',
        'snapshot web-1: running (reserve)',
        'snapshot web-1: running (agent)',
        'snapshot web-1: succeeded (record)',
        '',
      ].join('\n'),
    );
    expect(client.asked[0]).toEqual({ params: { id: 'saga_1' }, query: { org: 'org_a' } });
  });

  it('returns a failed operation instead of throwing, so the VM can still be shown', async () => {
    const client = fakeController([operation('failed', 'agent')]);
    const done = await waitForOperation(client, operation('running', 'agent'), output().out, {
      intervalMs: 1,
    });
    expect(done).toMatchObject({ state: 'failed', error: { msg: 'zfs snapshot failed' } });
  });

  it('does not poll an operation that had already settled', async () => {
    const client = fakeController([]);
    await waitForOperation(client, operation('succeeded', 'record'), output().out);
    expect(client.asked).toHaveLength(0);
  });

  it('gives up after its timeout, naming the command to follow it', async () => {
    const client = fakeController(Array.from({ length: 50 }, () => operation('running', 'agent')));
    await expect(
      waitForOperation(client, operation('running', 'agent'), output().out, {
        intervalMs: 5,
        timeoutMs: 20,
      }),
    ).rejects.toThrow(/apiary operations show saga_1/);
  });
});
