import { describe, expect, it } from 'vitest';
import { historyGrid, MAX_POINTS } from '../../src/stats/history-grid.js';
import { UsageHistory } from '../../src/stats/usage-history.js';

const FIELDS = ['a', 'b'] as const;

describe('usage history', () => {
  it('holds at most 1 h of samples and 24 h of minutes per group, however long it runs', () => {
    const h = new UsageHistory({ fineStepS: 10 });
    expect([h.fineCapacity, h.coarseCapacity]).toEqual([360, 1440]);
    const bound = (groups: number) => groups * (360 + 1440);
    // Three days of samples every 10 s for 5 groups.
    for (let t = 0; t < 3 * 86_400; t += 10) {
      for (let g = 0; g < 5; g++) h.record(`vm:${g}`, FIELDS, t, [t, g]);
      expect(h.pointCount()).toBeLessThanOrEqual(bound(5));
    }
    expect(h.pointCount()).toBe(bound(5));
  });

  it('drops the groups of what is gone', () => {
    const h = new UsageHistory({ fineStepS: 10 });
    for (let g = 0; g < 50; g++) h.record(`vm:${g}`, FIELDS, 0, [1, 2]);
    h.retain((name) => name === 'vm:7');
    expect(h.groupNames()).toEqual(['vm:7']);
    expect(h.pointCount()).toBe(1);
  });

  it('keeps one-minute means, with the minute in progress, for steps of a minute and more', () => {
    const h = new UsageHistory({ fineStepS: 10 });
    // 0..59 s: a = 0,10,...,50 (mean 25); 60..119 s: a = 6 (mean 6); b unknown in the second.
    for (let t = 0; t < 120; t += 10)
      h.record('host', FIELDS, t, [t < 60 ? t : 6, t < 60 ? 1 : null]);
    const grid = { start: 0, step: 60, count: 2 };
    expect(h.series('host', grid)).toEqual({ a: [25, 6], b: [1, null] });
    // Steps under a minute read every sample.
    expect(h.series('host', { start: 0, step: 30, count: 4 })).toEqual({
      a: [10, 40, 6, 6],
      b: [1, 1, null, null],
    });
  });
});

describe('historyGrid', () => {
  const h = new UsageHistory({ fineStepS: 10 });
  const now = 1_700_000_000;
  it('defaults to the last hour at the sample interval', () => {
    const g = historyGrid({}, now, h);
    expect(g.step).toBe(10);
    expect(g.start).toBe(Math.floor((now - 3600) / 10) * 10);
    expect(g.count).toBe(361);
  });
  it('reads a minute resolution beyond the hour and never past a day', () => {
    expect(historyGrid({ since: '6h' }, now, h).step).toBe(60);
    expect(historyGrid({ since: '6h', step: '10s' }, now, h).step).toBe(60);
    const week = historyGrid({ since: new Date((now - 7 * 86_400) * 1000).toISOString() }, now, h);
    expect(week.start).toBeGreaterThanOrEqual(now - 86_400 - 60);
  });
  it('rounds a step up to the resolution and bounds the number of points', () => {
    expect(historyGrid({ since: '10m', step: '25s' }, now, h).step).toBe(30);
    expect(historyGrid({ since: '24h', step: '60s' }, now, h).count).toBeLessThanOrEqual(
      MAX_POINTS + 1,
    );
  });
});
