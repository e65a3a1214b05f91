import { counterValue, hrtimeValue, type KstatRecord, type KstatSet } from '../host/kstat.js';

/*
 * One `kstat -p` read, sorted into what usage is computed from. Counters stay bigints (CPU
 * nanoseconds pass 2^53 in months); each kstat keeps its instance, crtime and snaptime, which
 * is how two samples tell "the same kstat, later" from "a new kstat that counts from zero".
 */

/** Identity and clock of one kstat in a sample (nanoseconds since boot). */
export interface KstatStamp {
  instance: number;
  crtime: bigint;
  snaptime: bigint;
}

export interface RawCpu extends KstatStamp {
  idle: bigint;
  user: bigint;
  kernel: bigint;
}

export interface RawLink extends KstatStamp {
  zone: string;
  rbytes: bigint;
  obytes: bigint;
  ipackets: bigint;
  opackets: bigint;
  /** 32-bit counters in dls_stat: they wrap. */
  ierrors: bigint;
  oerrors: bigint;
}

export interface RawPool extends KstatStamp {
  nread: bigint;
  nwritten: bigint;
  /** uint_t in kstat_io_t: they wrap. */
  reads: bigint;
  writes: bigint;
}

export interface RawZone extends KstatStamp {
  /** User plus system nanoseconds of the zone's threads since the zone booted. */
  cpuNs: bigint;
}

/** Running sums of pages, one addition a second (`updates` counts them). */
export interface RawVminfo {
  freemem: bigint;
  swapResv: bigint;
  swapAlloc: bigint;
  swapAvail: bigint;
  swapFree: bigint;
  updates: bigint;
}

export interface RawSample {
  /** Wall clock (ms) when the agent read it. */
  at: number;
  /** The latest snaptime in the read: the host's clock at the sample. */
  hrtime: bigint;
  cpus: Map<number, RawCpu>;
  load: [number, number, number] | null;
  physmemPages: bigint | null;
  freememPages: bigint | null;
  vminfo: RawVminfo | null;
  arcBytes: bigint | null;
  vmmBytes: bigint | null;
  links: Map<string, RawLink>;
  pools: Map<string, RawPool>;
  /** By zone name (not id: the id changes at every boot). */
  zones: Map<string, RawZone>;
}

/** FSCALE: avenrun is fixed point with 8 fraction bits (sys/param.h). */
const FSCALE = 256;

function stamp(record: KstatRecord): KstatStamp | null {
  const crtime = hrtimeValue(record, 'crtime');
  const snaptime = hrtimeValue(record, 'snaptime');
  if (crtime === null || snaptime === null) return null;
  return { instance: record.instance, crtime, snaptime };
}

/** One bigint per statistic named, in the same order. */
type Counters<S extends readonly string[]> = { -readonly [K in keyof S]: bigint };

/**
 * The named counters, in order, or null when one is missing (a kstat missing a field is
 * skipped, never zero-filled). Callers build their objects with literal shapes: this runs for
 * every kstat of every sample, and spreading objects made field by field is several times
 * slower.
 */
function counters<const S extends readonly string[]>(
  record: KstatRecord,
  stats: S,
): Counters<S> | null {
  const out: bigint[] = [];
  for (const stat of stats) {
    const value = counterValue(record, stat);
    if (value === null) return null;
    out.push(value);
  }
  return out as Counters<S>;
}

function loadAverages(record: KstatRecord | undefined): [number, number, number] | null {
  const values = ['avenrun_1min', 'avenrun_5min', 'avenrun_15min'].map((s) =>
    counterValue(record, s),
  );
  if (values.some((v) => v === null)) return null;
  return values.map((v) => Number(v) / FSCALE) as [number, number, number];
}

function vminfoOf(record: KstatRecord | undefined): RawVminfo | null {
  if (!record) return null;
  const c = counters(record, [
    'freemem',
    'swap_resv',
    'swap_alloc',
    'swap_avail',
    'swap_free',
    'updates',
  ]);
  if (!c) return null;
  const [freemem, swapResv, swapAlloc, swapAvail, swapFree, updates] = c;
  return { freemem, swapResv, swapAlloc, swapAvail, swapFree, updates };
}

function vmmBytesOf(record: KstatRecord | undefined): bigint | null {
  const alloc = counterValue(record, 'bytes_alloc');
  const transient = counterValue(record, 'bytes_transient_alloc');
  return alloc === null || transient === null ? null : alloc + transient;
}

function linkOf(record: KstatRecord, s: KstatStamp): RawLink | null {
  const c = counters(record, [
    'rbytes64',
    'obytes64',
    'ipackets64',
    'opackets64',
    'ierrors',
    'oerrors',
  ]);
  if (!c) return null;
  const [rbytes, obytes, ipackets, opackets, ierrors, oerrors] = c;
  return {
    instance: s.instance,
    crtime: s.crtime,
    snaptime: s.snaptime,
    zone: record.stats.get('zonename') ?? '',
    rbytes,
    obytes,
    ipackets,
    opackets,
    ierrors,
    oerrors,
  };
}

/** Sort one read of SAMPLE_SELECTORS into a sample. */
export function toRawSample(set: KstatSet, at: number): RawSample {
  const sample: RawSample = {
    at,
    hrtime: 0n,
    cpus: new Map(),
    load: loadAverages(set.get('unix:0:system_misc')),
    physmemPages: counterValue(set.get('unix:0:system_pages'), 'physmem'),
    freememPages: counterValue(set.get('unix:0:system_pages'), 'freemem'),
    vminfo: vminfoOf(set.get('unix:0:vminfo')),
    arcBytes: counterValue(set.get('zfs:0:arcstats'), 'size'),
    vmmBytes: vmmBytesOf(set.get('vmm:0:vmm_reservoir')),
    links: new Map(),
    pools: new Map(),
    zones: new Map(),
  };
  for (const record of set.values()) {
    const s = stamp(record);
    if (!s) continue;
    if (s.snaptime > sample.hrtime) sample.hrtime = s.snaptime;
    const { instance, crtime, snaptime } = s;
    if (record.module === 'cpu' && record.name === 'sys') {
      const c = counters(record, ['cpu_nsec_idle', 'cpu_nsec_user', 'cpu_nsec_kernel']);
      if (c) {
        const [idle, user, kernel] = c;
        sample.cpus.set(instance, { instance, crtime, snaptime, idle, user, kernel });
      }
    } else if (record.module === 'link') {
      const link = linkOf(record, s);
      if (link) sample.links.set(record.name, link);
    } else if (record.module === 'zfs' && record.stats.has('nread')) {
      const c = counters(record, ['nread', 'nwritten', 'reads', 'writes']);
      if (c) {
        const [nread, nwritten, reads, writes] = c;
        sample.pools.set(record.name, {
          instance,
          crtime,
          snaptime,
          nread,
          nwritten,
          reads,
          writes,
        });
      }
    } else if (record.module === 'zones') {
      const c = counters(record, ['nsec_user', 'nsec_sys']);
      // The kstat name is cut to 30 characters; `zonename` is whole.
      const zone = record.stats.get('zonename') ?? record.name;
      if (c) sample.zones.set(zone, { instance, crtime, snaptime, cpuNs: c[0] + c[1] });
    }
  }
  return sample;
}
