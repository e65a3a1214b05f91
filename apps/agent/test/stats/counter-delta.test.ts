import { describe, expect, it } from 'vitest';
import { counterDelta, spanBetween } from '../../src/stats/counter-delta.js';

describe('counterDelta', () => {
  it('takes a 32-bit counter that went down as one wrap at 2^32', () => {
    expect(counterDelta(4_294_967_000n, 200n, 32)).toBe(496n);
  });
  it('takes a 64-bit counter that went down as a reset: unknown, never negative', () => {
    expect(counterDelta(5_000n, 200n, 64)).toBeNull();
  });
});

describe('spanBetween', () => {
  const at = (instance: number, crtime: number, snaptime: number) => ({
    instance,
    crtime: BigInt(crtime * 1e9),
    snaptime: BigInt(snaptime * 1e9),
  });
  it('measures the same kstat from its previous reading', () => {
    expect(spanBetween(at(1, 5, 100), at(1, 5, 110), 100n * 10n ** 9n)).toEqual({
      seconds: 10,
      base: 'previous',
    });
  });
  it('counts a kstat made after the previous sample from zero at its crtime', () => {
    expect(spanBetween(at(1, 5, 100), at(2, 104, 110), 100n * 10n ** 9n)).toEqual({
      seconds: 6,
      base: 'creation',
    });
  });
  it('gives no span for an old kstat seen for the first time, or a clock that went back', () => {
    expect(spanBetween(undefined, at(2, 50, 110), 100n * 10n ** 9n)).toBeNull();
    expect(spanBetween(at(1, 5, 110), at(1, 5, 100), 110n * 10n ** 9n)).toBeNull();
  });
});
