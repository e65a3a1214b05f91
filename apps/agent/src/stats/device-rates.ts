import { advance, type Span, spanBetween } from './counter-delta.js';
import type { KstatStamp, RawLink, RawPool, RawSample } from './raw-sample.js';

/*
 * Rates of the counter kstats that outlive zones: datalinks and pools. Each figure carries
 * how much its counter advanced (for the running totals behind the Prometheus counters) and
 * its rate per second, both null when the interval cannot be known.
 */

export interface Measured {
  delta: bigint | null;
  rate: number | null;
}

export function measure(
  prev: bigint | undefined,
  cur: bigint,
  span: Span | null,
  bits: 32 | 64,
): Measured {
  const delta = advance(prev, cur, span, bits);
  return { delta, rate: delta === null || span === null ? null : Number(delta) / span.seconds };
}

/** The span of one kstat between the previous sample and this one. */
export function spanOf<T extends KstatStamp>(
  prev: RawSample | null,
  prevRecord: T | undefined,
  cur: T,
): Span | null {
  return spanBetween(prevRecord, cur, prev ? prev.hrtime : null);
}

export interface LinkRates {
  link: string;
  zone: string;
  rxBytes: Measured;
  txBytes: Measured;
  rxPackets: Measured;
  txPackets: Measured;
  rxErrors: Measured;
  txErrors: Measured;
}

export function linkRates(prev: RawSample | null, cur: RawSample): LinkRates[] {
  const out: LinkRates[] = [];
  for (const [name, now] of cur.links) {
    const before: RawLink | undefined = prev?.links.get(name);
    const span = spanOf(prev, before, now);
    out.push({
      link: name,
      zone: now.zone,
      rxBytes: measure(before?.rbytes, now.rbytes, span, 64),
      txBytes: measure(before?.obytes, now.obytes, span, 64),
      rxPackets: measure(before?.ipackets, now.ipackets, span, 64),
      txPackets: measure(before?.opackets, now.opackets, span, 64),
      rxErrors: measure(before?.ierrors, now.ierrors, span, 32),
      txErrors: measure(before?.oerrors, now.oerrors, span, 32),
    });
  }
  return out;
}

export interface PoolRates {
  pool: string;
  readBytes: Measured;
  writeBytes: Measured;
  reads: Measured;
  writes: Measured;
}

export function poolRates(prev: RawSample | null, cur: RawSample): PoolRates[] {
  const out: PoolRates[] = [];
  for (const [name, now] of cur.pools) {
    const before: RawPool | undefined = prev?.pools.get(name);
    const span = spanOf(prev, before, now);
    out.push({
      pool: name,
      readBytes: measure(before?.nread, now.nread, span, 64),
      writeBytes: measure(before?.nwritten, now.nwritten, span, 64),
      reads: measure(before?.reads, now.reads, span, 32),
      writes: measure(before?.writes, now.writes, span, 32),
    });
  }
  return out;
}

/** Sum of the known rates; null when none is known. */
export function sumRates(values: Array<number | null>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null) total = (total ?? 0) + v;
  return total;
}
