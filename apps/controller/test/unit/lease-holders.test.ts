import { describe, expect, it } from 'vitest';
import { LeaseHolders, type LeaseState } from '../../src/services/leases/lease-holders.js';

const NOW = 1_800_000_000_000;

function source(kind: string, seriesPerLease: boolean, leases: LeaseState[]) {
  return { kind, seriesPerLease, leases: () => leases };
}

describe('LeaseHolders', () => {
  it('lists as held only leases taken and not yet expired, from every source, by name', () => {
    const holders = new LeaseHolders();
    holders.register(
      source('pass', true, [
        { name: 'pass:reap', epoch: 4, expiresAt: NOW + 30_000 },
        { name: 'pass:drain', epoch: null, expiresAt: null },
        // Renewal is late: another controller may take it now, so this one no longer counts it.
        { name: 'pass:poll', epoch: 2, expiresAt: NOW },
      ]),
    );
    holders.register(source('saga', false, [{ name: 'saga:env_a', epoch: 1, expiresAt: NOW + 1 }]));
    expect(holders.held(NOW)).toEqual([
      { name: 'pass:reap', kind: 'pass', epoch: 4, expiresAt: NOW + 30_000 },
      { name: 'saga:env_a', kind: 'saga', epoch: 1, expiresAt: NOW + 1 },
    ]);
  });

  it('gives a series to each lease of per-lease sources only, and counts every kind', () => {
    const holders = new LeaseHolders();
    holders.register(
      source('pass', true, [
        { name: 'pass:reap', epoch: 4, expiresAt: NOW + 30_000 },
        { name: 'pass:poll', epoch: 2, expiresAt: NOW - 1 },
      ]),
    );
    holders.register(source('saga', false, [{ name: 'saga:env_a', epoch: 1, expiresAt: NOW + 1 }]));
    holders.register(source('quiet', false, []));
    expect(holders.perLease(NOW)).toEqual([
      { name: 'pass:reap', epoch: 4 },
      { name: 'pass:poll', epoch: null },
    ]);
    expect(holders.countsByKind(NOW)).toEqual({ pass: 1, saga: 1, quiet: 0 });
  });

  it('forgets a source once its registration is undone', () => {
    const holders = new LeaseHolders();
    const undo = holders.register(
      source('saga', false, [{ name: 's', epoch: 1, expiresAt: NOW + 1 }]),
    );
    expect(holders.held(NOW)).toHaveLength(1);
    undo();
    expect(holders.held(NOW)).toEqual([]);
    expect(holders.countsByKind(NOW)).toEqual({});
  });
});
