import { SeriesRing } from './series-ring.js';

/*
 * History in memory, bounded: per group of series (the host, one link, one pool, one VM) a
 * fine ring of every sample over the last hour and a coarse ring of one-minute means over the
 * last day. Both are allocated at their final size when the group first appears, and a group
 * is dropped as soon as what it describes is gone (a VM deleted, a link removed), so memory is
 * bounded by what the host has now, never by how long the agent has run. Nothing is written to
 * disk: after a restart history starts again.
 */

export interface HistoryOptions {
  /** Seconds between samples (the fine ring's resolution). */
  fineStepS: number;
  /** Seconds the fine ring covers (default 1 h). */
  fineSpanS?: number;
  /** Resolution and span of the coarse ring (default 60 s over 24 h). */
  coarseStepS?: number;
  coarseSpanS?: number;
}

/** Steps of one response: `count` steps of `step` seconds from `start` (unix seconds). */
export interface Grid {
  start: number;
  step: number;
  count: number;
}

interface Group {
  fine: SeriesRing;
  coarse: SeriesRing;
  /** The minute being averaged into the coarse ring. */
  bucket: { start: number; sums: Float64Array; counts: Uint32Array } | null;
}

export class UsageHistory {
  readonly fineStepS: number;
  readonly coarseStepS: number;
  readonly fineCapacity: number;
  readonly coarseCapacity: number;
  private readonly groups = new Map<string, Group>();

  constructor(options: HistoryOptions) {
    this.fineStepS = options.fineStepS;
    this.coarseStepS = options.coarseStepS ?? 60;
    this.fineCapacity = Math.ceil((options.fineSpanS ?? 3600) / this.fineStepS);
    this.coarseCapacity = Math.ceil((options.coarseSpanS ?? 86_400) / this.coarseStepS);
  }

  /** How far back each resolution reaches, in seconds. */
  get fineSpanS(): number {
    return this.fineCapacity * this.fineStepS;
  }
  get coarseSpanS(): number {
    return this.coarseCapacity * this.coarseStepS;
  }

  /** Record one sample of a group's fields at `t` (unix seconds). */
  record(group: string, fields: readonly string[], t: number, values: Array<number | null>): void {
    let g = this.groups.get(group);
    if (!g || g.fine.fields.length !== fields.length) {
      g = {
        fine: new SeriesRing(this.fineCapacity, fields),
        coarse: new SeriesRing(this.coarseCapacity, fields),
        bucket: null,
      };
      this.groups.set(group, g);
    }
    g.fine.push(t, values);
    const start = Math.floor(t / this.coarseStepS) * this.coarseStepS;
    if (g.bucket && g.bucket.start !== start) {
      g.coarse.push(g.bucket.start, means(g.bucket));
      g.bucket = null;
    }
    g.bucket ??= {
      start,
      sums: new Float64Array(fields.length),
      counts: new Uint32Array(fields.length),
    };
    for (const [i, v] of values.entries()) {
      if (v === null || Number.isNaN(v)) continue;
      g.bucket.sums[i] = (g.bucket.sums[i] as number) + v;
      g.bucket.counts[i] = (g.bucket.counts[i] as number) + 1;
    }
  }

  has(group: string): boolean {
    return this.groups.has(group);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  /** Drop every group `keep` refuses (what it described is gone). */
  retain(keep: (group: string) => boolean): void {
    for (const name of this.groups.keys()) if (!keep(name)) this.groups.delete(name);
  }

  /** Points held over all groups and both resolutions (what bounds the memory). */
  pointCount(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.fine.size + g.coarse.size;
    return n;
  }

  /**
   * A group's series on a grid: the mean of the points in each step, null where none fell.
   * Steps shorter than the coarse resolution read the fine ring, the others the coarse one
   * (with the minute in progress).
   */
  series(group: string, grid: Grid): Record<string, Array<number | null>> | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    const fields = g.fine.fields;
    const sums = fields.map(() => new Float64Array(grid.count));
    const counts = fields.map(() => new Uint32Array(grid.count));
    const add = (t: number, i: number, v: number) => {
      const k = Math.floor((t - grid.start) / grid.step);
      if (k < 0 || k >= grid.count || Number.isNaN(v)) return;
      const sum = sums[i] as Float64Array;
      const count = counts[i] as Uint32Array;
      sum[k] = (sum[k] as number) + v;
      count[k] = (count[k] as number) + 1;
    };
    const ring = grid.step < this.coarseStepS ? g.fine : g.coarse;
    ring.forEach(grid.start, (t, columns, index) => {
      for (const [i, column] of columns.entries()) add(t, i, column[index] as number);
    });
    if (ring === g.coarse && g.bucket) {
      const partial = means(g.bucket);
      for (const [i, v] of partial.entries()) if (v !== null) add(g.bucket.start, i, v);
    }
    const out: Record<string, Array<number | null>> = {};
    for (const [i, field] of fields.entries()) {
      const s = sums[i] as Float64Array;
      const c = counts[i] as Uint32Array;
      out[field] = Array.from(s, (sum, k) =>
        (c[k] as number) > 0 ? sum / (c[k] as number) : null,
      );
    }
    return out;
  }
}

function means(bucket: { sums: Float64Array; counts: Uint32Array }): Array<number | null> {
  return Array.from(bucket.sums, (sum, i) => {
    const n = bucket.counts[i] as number;
    return n > 0 ? sum / n : null;
  });
}
