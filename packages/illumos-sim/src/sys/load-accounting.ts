import type { HostState, ZoneRecord } from '../core/state-types.js';
import {
  IDLE_BASELINE,
  type LoadAverages,
  type LoadRates,
  ZERO_RATES,
  type ZoneLoadRecord,
  type ZoneTotals,
} from './load-state.js';

/**
 * Reading the load model at a moment: settled totals plus the part of the run in progress.
 * Everything here is pure (no I/O, no clock) so a test can ask for any `now`.
 */
export interface Totals {
  cpuNs: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  readBytes: bigint;
  writeBytes: bigint;
  memByteSec: bigint;
}

export const ZERO: Totals = {
  cpuNs: 0n,
  rxBytes: 0n,
  txBytes: 0n,
  readBytes: 0n,
  writeBytes: 0n,
  memByteSec: 0n,
};

/** What `rates` produce in `ms` milliseconds (CPU in whole nanoseconds, bytes rounded down). */
export function produced(rates: LoadRates, ms: number): Totals {
  if (ms <= 0) return ZERO;
  const t = BigInt(Math.floor(ms));
  const bytes = (perSecond: number) => (BigInt(Math.round(perSecond)) * t) / 1000n;
  return {
    cpuNs: BigInt(Math.round(rates.cpu * 1e6)) * t,
    rxBytes: bytes(rates.netRx),
    txBytes: bytes(rates.netTx),
    readBytes: bytes(rates.diskRead),
    writeBytes: bytes(rates.diskWrite),
    memByteSec: bytes(rates.mem),
  };
}

export function addTotals(a: Totals, b: Totals): Totals {
  return {
    cpuNs: a.cpuNs + b.cpuNs,
    rxBytes: a.rxBytes + b.rxBytes,
    txBytes: a.txBytes + b.txBytes,
    readBytes: a.readBytes + b.readBytes,
    writeBytes: a.writeBytes + b.writeBytes,
    memByteSec: a.memByteSec + b.memByteSec,
  };
}

export function subTotals(a: Totals, b: Totals): Totals {
  return {
    cpuNs: a.cpuNs - b.cpuNs,
    rxBytes: a.rxBytes - b.rxBytes,
    txBytes: a.txBytes - b.txBytes,
    readBytes: a.readBytes - b.readBytes,
    writeBytes: a.writeBytes - b.writeBytes,
    memByteSec: a.memByteSec - b.memByteSec,
  };
}

export function fromStored(t: ZoneTotals): Totals {
  return {
    cpuNs: BigInt(t.cpuNs),
    rxBytes: BigInt(t.rxBytes),
    txBytes: BigInt(t.txBytes),
    readBytes: BigInt(t.readBytes),
    writeBytes: BigInt(t.writeBytes),
    memByteSec: BigInt(t.memByteSec),
  };
}

export function toStored(t: Totals): ZoneTotals {
  return {
    cpuNs: `${t.cpuNs}`,
    rxBytes: `${t.rxBytes}`,
    txBytes: `${t.txBytes}`,
    readBytes: `${t.readBytes}`,
    writeBytes: `${t.writeBytes}`,
    memByteSec: `${t.memByteSec}`,
  };
}

/** Whether `rec` is accounting a run that is still going on (same zone id, still running). */
export function runInProgress(rec: ZoneLoadRecord, zone: ZoneRecord | undefined): boolean {
  return rec.runId !== undefined && zone?.state === 'running' && zone.zoneid === rec.runId;
}

/** What the run in progress produced since the last settle. */
export function liveDelta(rec: ZoneLoadRecord, zone: ZoneRecord | undefined, now: number): Totals {
  return runInProgress(rec, zone) ? produced(rec.rates, now - rec.since) : ZERO;
}

/** A zone's lifetime totals at `now`. */
export function zoneTotalsAt(rec: ZoneLoadRecord, zone: ZoneRecord | undefined, now: number) {
  return addTotals(fromStored(rec.total), liveDelta(rec, zone, now));
}

/** A zone's totals since its current boot (zeros when it is not running or has no load). */
export function zoneRunTotalsAt(state: HostState, zone: ZoneRecord, now: number): Totals {
  const rec = state.load?.zones[zone.name];
  if (!rec || !runInProgress(rec, zone) || !rec.runStart) return ZERO;
  return subTotals(zoneTotalsAt(rec, zone, now), fromStored(rec.runStart));
}

/** Rates of a zone right now: its load while it runs, nothing otherwise. */
export function currentRates(state: HostState, zone: ZoneRecord): LoadRates | undefined {
  const rec = state.load?.zones[zone.name];
  return rec && runInProgress(rec, zone) ? rec.rates : undefined;
}

/** Milliseconds the host has been up at `now`. */
export function uptimeMs(state: HostState, now: number): number {
  return Math.max(0, now - state.bootTime * 1000);
}

/** CPUs busy on the host right now: the idle baseline plus every running zone's load. */
export function hostBusy(state: HostState): number {
  let busy = IDLE_BASELINE.cpu;
  for (const zone of state.zones) busy += currentRates(state, zone)?.cpu ?? 0;
  return busy;
}

/** Kernel time (ns) of the idle host since boot. */
export function baselineCpuNsAt(state: HostState, now: number): bigint {
  return produced({ ...ZERO_RATES, cpu: IDLE_BASELINE.cpu }, uptimeMs(state, now)).cpuNs;
}

/** CPU time (ns) every zone ever used, at `now`. */
export function zonesCpuNsAt(state: HostState, now: number): bigint {
  let total = BigInt(state.load?.hostCpuNs ?? '0');
  for (const zone of state.zones) {
    const rec = state.load?.zones[zone.name];
    if (rec) total += liveDelta(rec, zone, now).cpuNs;
  }
  return total;
}

/** Guest memory integrated over the host's life, byte-seconds, at `now`. */
export function hostMemByteSecAt(state: HostState, now: number): bigint {
  let total = BigInt(state.load?.hostMemByteSec ?? '0');
  for (const zone of state.zones) {
    const rec = state.load?.zones[zone.name];
    if (rec) total += liveDelta(rec, zone, now).memByteSec;
  }
  return total;
}

/** Guest memory (bytes) of the running zones. */
export function guestMemory(state: HostState): number {
  let mem = 0;
  for (const zone of state.zones) mem += currentRates(state, zone)?.mem ?? 0;
  return mem;
}

/**
 * The kernel's loadavg: every second avenrun = avenrun·e^(−1/T) + n·(1 − e^(−1/T)) for
 * T = 60, 300, 900 s. With n constant since `at`, that is n + (a − n)·e^(−Δt/T).
 */
const PERIODS = [60, 300, 900] as const;

export function decayAverages(
  from: LoadAverages,
  runnable: number,
  elapsedMs: number,
): LoadAverages {
  const s = Math.max(0, elapsedMs) / 1000;
  return PERIODS.map((T, i) => runnable + (from[i]! - runnable) * Math.exp(-s / T)) as LoadAverages;
}

/** The host's load averages at `now`. */
export function hostAveragesAt(state: HostState, now: number): LoadAverages {
  if (state.load) return decayAverages(state.load.avg, hostBusy(state), now - state.load.avgAt);
  return decayAverages([0, 0, 0], IDLE_BASELINE.cpu, uptimeMs(state, now));
}

/** A running zone's own load averages at `now` (zeros without a load). */
export function zoneAveragesAt(state: HostState, zone: ZoneRecord, now: number): LoadAverages {
  const rec = state.load?.zones[zone.name];
  if (!rec || !runInProgress(rec, zone)) return [0, 0, 0];
  return decayAverages(rec.avg ?? [0, 0, 0], rec.rates.cpu, now - rec.since);
}

/** The fixed-point form the kernel exports (FSCALE = 1 << FSHIFT = 256). */
export function toFixedPoint(avg: number): number {
  return Math.floor(avg * 256) >>> 0;
}
