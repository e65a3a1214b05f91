import { describe, expect, it } from 'vitest';
import { QueryCache } from '../../src/state/query-cache.js';
import { shareStructure } from '../../src/state/share-structure.js';

const host = (id: string, policy = 'eligible') => ({
  id,
  hostname: id,
  policy,
  capacity: { total: { cpu: 8 }, reserved: { cpu: 2 } },
  engines: ['bhyve'],
});

describe('shareStructure', () => {
  it('keeps every unchanged row and replaces only the changed one', () => {
    const prev = { items: [host('a'), host('b'), host('c')], next_cursor: null };
    const next = structuredClone(prev);
    next.items[1]!.policy = 'maintenance';
    const shared = shareStructure(prev, next);
    expect(shared).toEqual(next);
    expect(shared.items[0]).toBe(prev.items[0]);
    expect(shared.items[2]).toBe(prev.items[2]);
    expect(shared.items[1]).not.toBe(prev.items[1]);
    // Unchanged parts of the changed row are shared too.
    expect(shared.items[1]!.capacity).toBe(prev.items[1]!.capacity);
    expect(shared).not.toBe(prev);
  });

  it('returns the previous answer itself when nothing changed', () => {
    const prev = { items: [host('a'), host('b')] };
    expect(shareStructure(prev, structuredClone(prev))).toBe(prev);
  });

  it('matches rows by id when they move, and drops rows that went away', () => {
    const prev = { items: [host('a'), host('b'), host('c')] };
    const next = { items: [host('c'), host('a')] };
    const shared = shareStructure(prev, next);
    expect(shared.items[0]).toBe(prev.items[2]);
    expect(shared.items[1]).toBe(prev.items[0]);
    expect(shared.items).toHaveLength(2);
  });

  it('sees a key added or removed as a change', () => {
    const prev: Record<string, unknown> = { a: 1, b: 2 };
    expect(shareStructure(prev, { a: 1 })).not.toBe(prev);
    expect(shareStructure(prev, { a: 1, b: 2, c: 3 })).not.toBe(prev);
  });

  it('is what the query cache stores: a refetch keeps unchanged rows', async () => {
    const cache = new QueryCache();
    let policy = 'eligible';
    cache.register('hosts', async () => ({ items: [host('a'), host('b', policy)] }), ['hosts']);
    cache.subscribe('hosts', () => {});
    await cache.fetch('hosts');
    const first = cache.get<{ items: ReturnType<typeof host>[] }>('hosts')!.data!;
    policy = 'maintenance';
    await cache.fetch('hosts');
    const second = cache.get<{ items: ReturnType<typeof host>[] }>('hosts')!.data!;
    expect(second.items[0]).toBe(first.items[0]);
    expect(second.items[1]!.policy).toBe('maintenance');
  });
});
