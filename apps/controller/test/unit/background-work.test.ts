import { describe, expect, it } from 'vitest';
import { BackgroundWork } from '../../src/services/background-work.js';

const gate = () => {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
};
const noError = () => {
  throw new Error('unexpected');
};

describe('BackgroundWork', () => {
  it('refuses exclusive work while the key is held, and frees the key when it ends', async () => {
    const work = new BackgroundWork();
    const first = gate();
    expect(work.runExclusive('env', () => first.opened, noError)).toBe(true);
    expect(work.isBusy('env')).toBe(true);
    expect(work.runExclusive('env', async () => {}, noError)).toBe(false);
    expect(work.runExclusive('other', async () => {}, noError)).toBe(true);
    first.open();
    await work.idle();
    expect(work.isBusy('env')).toBe(false);
    expect(work.runExclusive('env', async () => {}, noError)).toBe(true);
    await work.idle();
  });

  it('runs next-in-line work after the holder, one waiter at most, in order', async () => {
    const work = new BackgroundWork();
    const order: string[] = [];
    const first = gate();
    work.runExclusive('env', () => first.opened.then(() => order.push('vm start')), noError);
    expect(work.runNext('env', async () => order.push('env stop'), noError)).toBe(true);
    // One saga waits; a second one is refused, and so is exclusive work.
    expect(work.runNext('env', async () => order.push('env delete'), noError)).toBe(false);
    expect(work.runExclusive('env', async () => order.push('vm stop'), noError)).toBe(false);
    expect(order).toEqual([]);
    first.open();
    await work.idle();
    expect(order).toEqual(['vm start', 'env stop']);
    expect(work.isBusy('env')).toBe(false);
  });

  it('runs the waiter even when the holder fails, and reports the failure', async () => {
    const work = new BackgroundWork();
    const errors: unknown[] = [];
    let ran = false;
    work.runExclusive(
      'env',
      async () => Promise.reject(new Error('agent down')),
      (_k, e) => {
        errors.push(e);
      },
    );
    work.runNext(
      'env',
      async () => {
        ran = true;
      },
      noError,
    );
    await work.idle();
    expect(ran).toBe(true);
    expect(String(errors[0])).toContain('agent down');
  });

  it('starts nothing once stopping, including waiters', async () => {
    const work = new BackgroundWork();
    const first = gate();
    let waiterRan = false;
    work.runExclusive('env', () => first.opened, noError);
    work.runNext(
      'env',
      async () => {
        waiterRan = true;
      },
      noError,
    );
    const stopped = work.stop(1000);
    expect(work.runNext('other', async () => {}, noError)).toBe(false);
    first.open();
    await stopped;
    await work.idle();
    expect(waiterRan).toBe(false);
  });
});
