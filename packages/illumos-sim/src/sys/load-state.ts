/**
 * The simulated activity of a host, kept in `state.json` under `load`. Counters are not
 * advanced by a background process: each zone's totals are settled (accumulated up to a time)
 * whenever the state is written, and a reader adds `rate × (now − since)` for the running
 * interval in progress. Totals are decimal strings because they outgrow 2^53 (nanoseconds of
 * CPU time pass 2^53 after about 104 days of one busy CPU).
 */

/** What `apiary-sim load` sets for one zone; all per second, `cpu` in CPUs busy. */
export interface LoadRates {
  cpu: number;
  /** Guest memory in use, bytes (a level, not a rate). */
  mem: number;
  netRx: number;
  netTx: number;
  diskRead: number;
  diskWrite: number;
}

/** Lifetime counters of one zone, while it ran. */
export interface ZoneTotals {
  /** CPU time, nanoseconds (user + system, split when printed). */
  cpuNs: string;
  rxBytes: string;
  txBytes: string;
  readBytes: string;
  writeBytes: string;
  /** Guest memory integrated over time, byte-seconds (vminfo's cumulative freemem needs it). */
  memByteSec: string;
}

export interface ZoneLoadRecord {
  rates: LoadRates;
  /** Accounting is settled up to this time (ms since the epoch). */
  since: number;
  total: ZoneTotals;
  /**
   * The zone id of the run being accounted, when the zone was running at `since`. A new id
   * (halt, boot, reboot) closes the run: zone ids are never reused.
   */
  runId?: number;
  /** `total` when the current run started: the per-boot kstats (`zones:ID:NAME`) count from it. */
  runStart?: ZoneTotals;
  /** The links and pools the current run sends its traffic and I/O to, fixed at boot. */
  links?: string[];
  pools?: string[];
  /** The zone's own load averages (zone_avenrun) at `since`, for the current run. */
  avg?: LoadAverages;
}

/** 1, 5 and 15 minute exponentially damped averages of runnable threads, as plain numbers. */
export type LoadAverages = [number, number, number];

/** Byte counters that outlive a zone's configuration: per link and per pool. */
export interface DeviceTotals {
  rx: string;
  tx: string;
}

export interface LoadState {
  zones: Record<string, ZoneLoadRecord>;
  /**
   * Settled traffic and I/O per link name and per pool name (`rx` = read for a pool, `tx` =
   * written). Kept apart from the zones so a link's counter does not drop when the zone that
   * used it is reconfigured or deleted; a VNIC's traffic is also counted on the links under it.
   */
  links: Record<string, DeviceTotals>;
  pools: Record<string, DeviceTotals>;
  /** Host CPU time (ns) settled from every zone's runs. */
  hostCpuNs: string;
  /** Byte-seconds of guest memory settled from every zone's runs. */
  hostMemByteSec: string;
  /** The host's load averages at `avgAt` (ms); the busy CPU count is constant between writes. */
  avg: LoadAverages;
  avgAt: number;
}

/** Activity of a host with no zones: a little kernel time, a trickle of traffic and sync I/O. */
export const IDLE_BASELINE = {
  /** CPUs busy in the kernel (clock, ZFS txg sync, dlmgmtd). */
  cpu: 0.01,
  /** Bytes per second on every physical link. */
  linkRx: 600,
  linkTx: 300,
  /** Bytes per second written to every pool (txg sync of an idle pool). */
  poolWrite: 4096,
} as const;

/** Share of a zone's CPU time spent in the kernel: a bhyve vCPU runs guest code in VM_RUN. */
export const SYSTEM_SHARE = 0.85;

/** Sizes used to turn byte counts into operation counts. */
export const AVG_PACKET_BYTES = 1000;
export const AVG_IO_BYTES = 16384;

export const ZERO_RATES: LoadRates = {
  cpu: 0,
  mem: 0,
  netRx: 0,
  netTx: 0,
  diskRead: 0,
  diskWrite: 0,
};

export function zeroTotals(): ZoneTotals {
  return {
    cpuNs: '0',
    rxBytes: '0',
    txBytes: '0',
    readBytes: '0',
    writeBytes: '0',
    memByteSec: '0',
  };
}

export function emptyLoadState(avg: LoadAverages, avgAt: number): LoadState {
  return { zones: {}, links: {}, pools: {}, hostCpuNs: '0', hostMemByteSec: '0', avg, avgAt };
}
