/*
 * A fixed-size ring of points: one time column and one column per field, allocated once at
 * the capacity it will ever have. Pushing past the capacity overwrites the oldest point, so a
 * ring's memory is the same after a year as after its first lap. Values are float32 (seven
 * significant digits, plenty for charts; the exact figures are in the current sample) with NaN
 * for "no value".
 */
export class SeriesRing {
  private readonly times: Uint32Array;
  private readonly columns: Float32Array[];
  private head = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly fields: readonly string[],
  ) {
    this.times = new Uint32Array(capacity);
    this.columns = fields.map(() => new Float32Array(capacity));
  }

  /** Points held (never more than the capacity). */
  get size(): number {
    return this.count;
  }

  /** Add a point at `t` (unix seconds); values in `fields` order, null for none. */
  push(t: number, values: ReadonlyArray<number | null>): void {
    this.times[this.head] = t;
    for (const [i, column] of this.columns.entries()) {
      const v = values[i];
      column[this.head] = v === null || v === undefined ? Number.NaN : v;
    }
    this.head = (this.head + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Visit the points at or after `since`, oldest first. */
  forEach(since: number, visit: (t: number, values: Float32Array[], index: number) => void): void {
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let k = 0; k < this.count; k++) {
      const index = (start + k) % this.capacity;
      const t = this.times[index] as number;
      if (t >= since) visit(t, this.columns, index);
    }
  }
}
