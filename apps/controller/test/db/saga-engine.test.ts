import { createMemoryLogger } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { SagaEngine, type SagaKind, type SagaRun } from '../../src/services/sagas/saga-engine.js';
import { engines, withDb } from './engine-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A toy saga whose steps record what they did; `fail` names a step that throws. */
function recordingKind(
  log: string[],
  options: { fail?: string; block?: Promise<void>; blockAt?: string } = {},
) {
  const step = (name: string) => ({
    name,
    async run() {
      log.push(`run:${name}`);
      if (options.blockAt === name && options.block) await options.block;
      if (options.fail === name) throw new Error(`${name} broke`);
    },
    async undo() {
      log.push(`undo:${name}`);
    },
  });
  return { kind: 'toy', steps: [step('a'), step('b'), step('c')] } satisfies SagaKind<unknown>;
}

function engine(d: Database, id: string, kind: SagaKind<unknown>, ttl = 300) {
  return new SagaEngine({
    data: d,
    controllerId: id,
    leaseTtlMs: ttl,
    log: createMemoryLogger().log,
    kinds: [kind],
  });
}

async function until(check: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

const sagaRow = async (d: Database, id: string) =>
  (await d.db.select().from(d.t.sagas).where(eq(d.t.sagas.id, id)))[0];

describe.each(engines())('controller sagas on %s', (_name, open) => {
  it('runs the steps in order and records success', async () => {
    await withDb(open, async (d) => {
      const log: string[] = [];
      const e = engine(d, 'ctl-a', recordingKind(log));
      const id = await e.start('toy', 'env:x', { n: 1 });
      await until(async () => (await sagaRow(d, id))?.state === 'succeeded');
      expect(log).toEqual(['run:a', 'run:b', 'run:c']);
      expect((await sagaRow(d, id))?.doneSteps).toEqual(['a', 'b', 'c']);
    });
  });

  it('undoes through the failed step, in reverse, and records the failure', async () => {
    await withDb(open, async (d) => {
      const log: string[] = [];
      const e = engine(d, 'ctl-a', recordingKind(log, { fail: 'b' }));
      const id = await e.start('toy', 'env:x', {});
      await until(async () => (await sagaRow(d, id))?.state === 'failed');
      expect(log).toEqual(['run:a', 'run:b', 'undo:b', 'undo:a']);
      expect(await sagaRow(d, id)).toMatchObject({ errorCode: 'internal', leftovers: [] });
      expect((await sagaRow(d, id))?.errorMsg).toContain('b broke');
    });
  });

  it('allows one running saga per resource, whichever controller asks', async () => {
    await withDb(open, async (d) => {
      let release!: () => void;
      const block = new Promise<void>((r) => {
        release = r;
      });
      const a = engine(d, 'ctl-a', recordingKind([], { block, blockAt: 'a' }));
      const b = engine(d, 'ctl-b', recordingKind([]));
      const first = await a.start('toy', 'env:x', {});
      await expect(b.start('toy', 'env:x', {})).rejects.toMatchObject({ code: 'conflict' });
      release();
      await until(async () => (await sagaRow(d, first))?.state === 'succeeded');
      // Done: the resource is free again.
      await b.start('toy', 'env:x', {});
    });
  });

  it('is adopted by another controller when its owner stops renewing, and the owner can write no more', async () => {
    await withDb(open, async (d) => {
      const logA: string[] = [];
      const logB: string[] = [];
      let releaseA!: () => void;
      const blockA = new Promise<void>((r) => {
        releaseA = r;
      });
      // ctl-a hangs in step b and never renews its lease (as if paused or dead).
      const a = engine(d, 'ctl-a', recordingKind(logA, { block: blockA, blockAt: 'b' }), 200);
      const b = engine(d, 'ctl-b', recordingKind(logB), 200);
      const id = await a.start('toy', 'env:x', {});
      await until(async () => logA.includes('run:b'));
      expect(await b.adoptOrphans()).toBe(0);
      await sleep(300);
      expect(await b.adoptOrphans()).toBe(1);
      await until(async () => (await sagaRow(d, id))?.state === 'succeeded');
      // b resumed at the interrupted step (steps are idempotent) and did not redo a.
      expect(logB).toEqual(['run:b', 'run:c']);
      // a wakes up: its next journal write is refused; it does not run c.
      releaseA();
      await sleep(100);
      expect(logA).toEqual(['run:a', 'run:b']);
      expect((await sagaRow(d, id))?.state).toBe('succeeded');
      await a.stop();
    });
  });

  it('hands its sagas back at a clean stop, so another controller adopts them at once', async () => {
    await withDb(open, async (d) => {
      // ctl-a is in step b (which ends only when the shutdown aborts it); its lease is long:
      // only the release at stop lets b adopt within this test.
      const [stepA, , stepC] = recordingKind([]).steps;
      const waitForAbort = {
        name: 'b',
        run: (run: SagaRun<unknown>) =>
          new Promise<void>((_resolve, reject) =>
            run.signal.addEventListener('abort', () => reject(run.signal.reason)),
          ),
        undo: async () => {},
      };
      const stoppable: SagaKind<unknown> = { kind: 'toy', steps: [stepA!, waitForAbort, stepC!] };
      const a = engine(d, 'ctl-a', stoppable, 60_000);
      const logB: string[] = [];
      const b = engine(d, 'ctl-b', recordingKind(logB), 60_000);
      const id = await a.start('toy', 'env:x', {});
      await until(async () => (await sagaRow(d, id))?.step === 'b');
      expect(await b.adoptOrphans()).toBe(0);
      await a.stop();
      expect(await b.adoptOrphans()).toBe(1);
      await until(async () => (await sagaRow(d, id))?.state === 'succeeded');
      expect(logB).toEqual(['run:b', 'run:c']);
      await b.stop();
    });
  });

  it('finishes an undo another controller began', async () => {
    await withDb(open, async (d) => {
      const never = new Promise<void>(() => {});
      const logA: string[] = [];
      const failing = recordingKind(logA, { fail: 'c' });
      // ctl-a records the failure, then hangs in the undo of b.
      failing.steps[1] = {
        ...failing.steps[1]!,
        undo: () => never,
      } as (typeof failing.steps)[number];
      const a = engine(d, 'ctl-a', failing, 200);
      const logB: string[] = [];
      const b = engine(d, 'ctl-b', recordingKind(logB), 200);
      const id = await a.start('toy', 'env:x', {});
      await until(async () => (await sagaRow(d, id))?.step === 'undo:b');
      await sleep(300);
      expect(await b.adoptOrphans()).toBe(1);
      await until(async () => (await sagaRow(d, id))?.state === 'failed');
      expect(logB).toEqual(['undo:b', 'undo:a']);
      expect((await sagaRow(d, id))?.errorMsg).toContain('c broke');
    });
  });
});
