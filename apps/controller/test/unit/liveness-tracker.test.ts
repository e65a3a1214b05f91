import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/lib/clock.js';
import { newSecret } from '../../src/lib/secrets.js';
import { LivenessTracker } from '../../src/services/hosts/liveness-tracker.js';

const settings = {
  heartbeatIntervalMs: 1000,
  heartbeatTtlMs: 3000,
  downAfterMs: 9000,
  heartbeatRate: 50,
  restartGraceMs: 20_000,
};

describe('LivenessTracker', () => {
  it('goes ready -> suspect -> down with silence and back to ready on a heartbeat', () => {
    const clock = new ManualClock();
    const t = new LivenessTracker(clock, settings);
    t.track('h1', null, 0);
    clock.advance(2999);
    expect(t.sweep()).toEqual([]);
    clock.advance(1);
    expect(t.sweep()).toEqual([{ hostId: 'h1', from: 'ready', to: 'suspect' }]);
    expect(t.sweep()).toEqual([]);
    clock.advance(6000);
    expect(t.sweep()).toEqual([{ hostId: 'h1', from: 'suspect', to: 'down' }]);
    expect(t.seen('h1')).toEqual({ hostId: 'h1', from: 'down', to: 'ready' });
    expect(t.seen('h1')).toBeNull();
  });

  it('gives hosts a grace period after a controller restart', () => {
    const clock = new ManualClock();
    const t = new LivenessTracker(clock, settings);
    t.load([
      {
        id: 'h1',
        liveness: 'ready',
        credentialHash: null,
        nextCredentialHash: null,
        credentialRotateAt: null,
        inventoryGeneration: 3,
        lastHeartbeatAt: null,
      },
    ]);
    clock.advance(20_000 + 2999);
    expect(t.sweep()).toEqual([]);
    clock.advance(1);
    expect(t.sweep()[0]?.to).toBe('suspect');
    expect(t.ackGeneration('h1')).toBe(3);
  });

  it('scales the interval and thresholds with the fleet size and adds jitter', () => {
    const t = new LivenessTracker(new ManualClock(), settings);
    for (let i = 0; i < 10; i++) t.track(`h${i}`, null, 0);
    expect(t.intervalMs()).toBe(1000);
    for (let i = 0; i < 1000; i++) t.track(`big${i}`, null, 0);
    // 1010 hosts at 50 heartbeats/s: one heartbeat every 20.2 s per host.
    expect(t.intervalMs()).toBe(20_200);
    expect(t.suspectAfterMs()).toBe(60_600);
    const samples = Array.from({ length: 50 }, () => t.nextHeartbeatMs());
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(16_160);
    expect(Math.max(...samples)).toBeLessThanOrEqual(20_200);
    expect(new Set(samples).size).toBeGreaterThan(5);
  });

  it('checks host credentials against the stored hash', () => {
    const t = new LivenessTracker(new ManualClock(), settings);
    const s = newSecret('aph');
    const next = newSecret('aph');
    t.track('h1', { current: s.hash, next: next.hash, rotate: true }, 0);
    expect(t.checkCredential('h1', s.secret)).toBe('current');
    expect(t.checkCredential('h1', next.secret)).toBe('next');
    expect(t.checkCredential('h1', newSecret('aph').secret)).toBeNull();
    expect(t.checkCredential('h2', s.secret)).toBeNull();
  });

  it('marks a host down at once when it deregisters', () => {
    const clock = new ManualClock();
    const t = new LivenessTracker(clock, settings);
    t.track('h1', null, 0);
    expect(t.markDown('h1')).toEqual({ hostId: 'h1', from: 'ready', to: 'down' });
    expect(t.sweep()).toEqual([]);
  });
});
