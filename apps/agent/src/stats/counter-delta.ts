import type { KstatStamp } from './raw-sample.js';

/*
 * Rates from two readings of a counter, safe against the two ways a kstat counter goes down:
 * a 32-bit counter wraps at 2^32 (dls_stat's error counters, kstat_io_t's reads/writes), and a
 * kstat is recreated from zero (a zone's kstats at every boot, under a new zone id; a link or a
 * pool made again). A rate is never negative and never made of a wrap that was really a reset:
 * when the readings cannot say what happened, there is no rate for that interval (null).
 */

const TWO_32 = 1n << 32n;

/** What the counters of a kstat count from, and over how many seconds. */
export interface Span {
  seconds: number;
  /** `previous`: deltas from the previous reading; `creation`: the values themselves. */
  base: 'previous' | 'creation';
}

/**
 * Relates this sample's reading of a kstat to the previous one. The same instance and crtime
 * with a later snaptime is the same kstat. Anything else is a kstat made since: if it was made
 * after the previous sample, its counters started from zero at crtime and give a rate over
 * its own lifetime; otherwise (first sight of an old kstat) there is no rate yet.
 */
export function spanBetween(
  prev: KstatStamp | undefined,
  cur: KstatStamp,
  previousSampleHrtime: bigint | null,
): Span | null {
  if (prev && prev.instance === cur.instance && prev.crtime === cur.crtime) {
    const seconds = Number(cur.snaptime - prev.snaptime) / 1e9;
    return seconds > 0 ? { seconds, base: 'previous' } : null;
  }
  if (previousSampleHrtime === null || cur.crtime < previousSampleHrtime) return null;
  const seconds = Number(cur.snaptime - cur.crtime) / 1e9;
  return seconds > 0 ? { seconds, base: 'creation' } : null;
}

/**
 * How much a counter advanced between two readings of the same kstat. A 32-bit counter that
 * went down wrapped once (more would take 2^32 events in one interval); a 64-bit one cannot
 * wrap in practice, so going down means it was reset: unknown.
 */
export function counterDelta(prev: bigint, cur: bigint, bits: 32 | 64): bigint | null {
  if (cur >= prev) return cur - prev;
  if (bits === 32 && prev < TWO_32) return cur + TWO_32 - prev;
  return null;
}

/** How much a counter advanced over a span (for running totals), or null. */
export function advance(
  prev: bigint | undefined,
  cur: bigint,
  span: Span | null,
  bits: 32 | 64,
): bigint | null {
  if (span === null) return null;
  if (span.base === 'creation') return cur;
  return prev === undefined ? null : counterDelta(prev, cur, bits);
}
