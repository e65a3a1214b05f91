import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../src/state/query-cache.js';
import { ALL_TOPICS, topicsForEvent } from '../../src/state/topics.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('QueryCache', () => {
  it('refetches watched queries of an invalidated topic and leaves others alone', async () => {
    const cache = new QueryCache();
    let hosts = 0;
    let images = 0;
    cache.register('hosts', async () => ++hosts, ['hosts']);
    cache.register('images', async () => ++images, ['images']);
    cache.subscribe('hosts', () => {});
    cache.subscribe('images', () => {});
    await Promise.all([cache.fetch('hosts'), cache.fetch('images')]);
    cache.invalidate(['hosts']);
    await cache.settled('hosts');
    expect(cache.get('hosts')?.data).toBe(2);
    expect(cache.get('images')?.data).toBe(1);
  });

  it('does not fetch queries nobody watches but marks them stale', async () => {
    const cache = new QueryCache();
    let calls = 0;
    cache.register('envs', async () => ++calls, ['envs']);
    await cache.fetch('envs');
    cache.invalidate(['envs']);
    expect(calls).toBe(1);
    expect(cache.get('envs')?.fetchedAt).toBe(0);
  });

  it('runs one request at a time and fetches again when invalidated mid-flight', async () => {
    const cache = new QueryCache();
    const answers = [deferred<string>(), deferred<string>()];
    let calls = 0;
    cache.register('env:a', () => answers[calls++]!.promise, ['envs']);
    cache.subscribe('env:a', () => {});
    const first = cache.fetch('env:a');
    cache.invalidate(['envs']);
    cache.invalidate(['envs']);
    expect(calls).toBe(1);
    answers[0]!.resolve('old');
    await Promise.resolve();
    await Promise.resolve();
    answers[1]!.resolve('new');
    await first;
    expect(calls).toBe(2);
    expect(cache.get('env:a')?.data).toBe('new');
    expect(cache.get('env:a')?.loading).toBe(false);
  });

  it('keeps the last good data when a refresh fails, and reports the error', async () => {
    const cache = new QueryCache();
    let fail = false;
    cache.register('status', async () => {
      if (fail) throw new Error('controller unreachable');
      return 'ok';
    }, ['status']);
    await cache.fetch('status');
    fail = true;
    await cache.fetch('status');
    expect(cache.get('status')?.data).toBe('ok');
    expect(cache.get('status')?.error).toEqual(new Error('controller unreachable'));
  });

  it('notifies subscribers on every change', async () => {
    const cache = new QueryCache();
    cache.register('k', async () => 1, ['keys']);
    let notified = 0;
    const unsubscribe = cache.subscribe('k', () => notified++);
    await cache.fetch('k');
    unsubscribe();
    await cache.fetch('k');
    expect(notified).toBe(3);
  });
});

describe('topicsForEvent', () => {
  it('maps event families to the data they change', () => {
    expect(topicsForEvent('host.liveness')).toEqual(['hosts', 'status']);
    expect(topicsForEvent('drain.progress')).toEqual(['hosts', 'status']);
    expect(topicsForEvent('vm.state')).toContain('hosts');
    expect(topicsForEvent('env.state')).toEqual(['envs', 'status']);
    expect(topicsForEvent('ping')).toEqual([]);
    expect(topicsForEvent('user.updated')).toEqual(['tenancy']);
    expect(topicsForEvent('org.created')).toEqual(['tenancy']);
    expect(topicsForEvent('something.new')).toEqual(ALL_TOPICS);
  });
});
