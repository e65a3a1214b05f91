import { describe, expect, it } from 'vitest';
import { extendFromHours } from '../../src/lib/extend-form.js';

describe('extendFromHours', () => {
  it('turns hours into the seconds of the extend request', () => {
    expect(extendFromHours('6')).toEqual({ ok: true, body: { seconds: 21_600 } });
    expect(extendFromHours(' 1.5 ')).toEqual({ ok: true, body: { seconds: 5400 } });
  });

  it("states the controller's limits as durations", () => {
    expect(extendFromHours('1000')).toEqual({ ok: false, error: 'at most 30d' });
    expect(extendFromHours('0')).toEqual({ ok: false, error: 'at least 1m' });
  });

  it('refuses what is not a number of hours', () => {
    expect(extendFromHours('soon')).toEqual({ ok: false, error: 'must be a number' });
    expect(extendFromHours('')).toEqual({ ok: false, error: 'must be a number' });
  });
});
