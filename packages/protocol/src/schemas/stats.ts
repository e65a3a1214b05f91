import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { Timestamp } from './common.js';
import { VmId } from './names.js';

/*
 * Usage as an agent samples it from kstat (one `kstat -p` call per interval): what a host and
 * its VMs are doing now, and their history from bounded in-memory rings. Rates are per second
 * over the last sample interval, computed from counter deltas; a figure the host cannot give
 * (yet) is null, never a guess. Where illumos has no per-VM source (guest memory residency,
 * per-zvol I/O) the schema carries the real figure it does have and says which.
 */

const Ratio = z.number().min(0).max(1);
const Rate = z.number().min(0);
const Bytes = z.number().min(0);

/** One CPU over the last interval: shares of its time busy, in user mode and in the kernel. */
export const CpuUsage = z.object({
  id: z.int().min(0),
  busy: Ratio.nullable(),
  user: Ratio.nullable(),
  kernel: Ratio.nullable(),
});
export type CpuUsage = z.infer<typeof CpuUsage>;

/** One datalink (physical, etherstub or VNIC), from `link:0:NAME`. */
export const LinkUsage = z.object({
  link: z.string(),
  /** The zone using the link (`global` when none); for a VM's VNIC, the VM's zone. */
  zone: z.string(),
  /** The VM this link belongs to, when it is one of the agent's VMs. */
  vm_id: z.string().nullable(),
  rx_bytes_per_s: Rate.nullable(),
  tx_bytes_per_s: Rate.nullable(),
  rx_packets_per_s: Rate.nullable(),
  tx_packets_per_s: Rate.nullable(),
  rx_errors_per_s: Rate.nullable(),
  tx_errors_per_s: Rate.nullable(),
});
export type LinkUsage = z.infer<typeof LinkUsage>;

/** One pool's I/O, from its `zfs:0:POOL` I/O kstat (every vdev I/O of the pool). */
export const PoolUsage = z.object({
  pool: z.string(),
  read_bytes_per_s: Rate.nullable(),
  write_bytes_per_s: Rate.nullable(),
  reads_per_s: Rate.nullable(),
  writes_per_s: Rate.nullable(),
});
export type PoolUsage = z.infer<typeof PoolUsage>;

/** The host now: rates over the last interval, levels at the sample. */
export const HostUsage = z.object({
  sampled_at: Timestamp,
  /** Seconds the rates span (null on the first sample, which has levels only). */
  interval_s: z.number().positive().nullable(),
  cpu: z.object({
    count: z.int().min(0),
    busy: Ratio.nullable(),
    user: Ratio.nullable(),
    kernel: Ratio.nullable(),
    per_cpu: z.array(CpuUsage),
  }),
  /** Run queue averages (`unix:0:system_misc:avenrun_*`). */
  load: z.object({ avg_1m: z.number(), avg_5m: z.number(), avg_15m: z.number() }).nullable(),
  memory: z.object({
    total_bytes: Bytes,
    free_bytes: Bytes,
    used_bytes: Bytes,
    /** ZFS ARC size (part of used). */
    arc_bytes: Bytes.nullable(),
    /** Guest memory of all running VMs (bhyve's `vmm_reservoir`): per-VM residency has no kstat. */
    vm_bytes: Bytes.nullable(),
  }),
  /** Averages over the interval from the `vminfo` running sums (as vmstat and sar read them). */
  swap: z
    .object({
      reserved_bytes: Bytes,
      allocated_bytes: Bytes,
      available_bytes: Bytes,
      free_bytes: Bytes,
    })
    .nullable(),
  links: z.array(LinkUsage),
  pools: z.array(PoolUsage),
});
export type HostUsage = z.infer<typeof HostUsage>;

/** One VM now. */
export const VmUsage = z.object({
  vm_id: VmId,
  sampled_at: Timestamp,
  interval_s: z.number().positive().nullable(),
  /** Whether its zone was running at the sample. A VM that is not uses no CPU (0). */
  running: z.boolean(),
  cpu: z.object({
    vcpus: z.int().min(0),
    /** CPUs' worth of time its zone used (`zones:ID:NAME` nsec_user + nsec_sys), e.g. 1.5. */
    used: Rate.nullable(),
    /** `used / vcpus`; can pass 1 a little, as bhyve's device emulation runs beside the vCPUs. */
    busy: Rate.nullable(),
  }),
  /**
   * What the VM was given. illumos has no kstat for a bhyve VM's resident memory (memory_cap
   * has no rss, vmm_reservoir counts all VMs together): see the host's `memory.vm_bytes`.
   */
  memory: z.object({ configured_bytes: Bytes }),
  /** Its VNICs together, and each. */
  net: z.object({
    rx_bytes_per_s: Rate.nullable(),
    tx_bytes_per_s: Rate.nullable(),
    rx_packets_per_s: Rate.nullable(),
    tx_packets_per_s: Rate.nullable(),
    links: z.array(LinkUsage),
  }),
  /**
   * Where its disks live. illumos has no per-zvol I/O kstat: the VM's disk traffic is part of
   * this pool's figures in the host's `pools`.
   */
  disk: z.object({ pool: z.string() }),
});
export type VmUsage = z.infer<typeof VmUsage>;

/**
 * The compact figures a heartbeat carries when they moved by more than a threshold (and that
 * `GET /stats` starts with). Not strict: a newer agent may add figures an older reader drops.
 */
export const UsageSummary = z.object({
  sampled_at: Timestamp,
  /** Share of all host CPUs busy over the last interval, 0-100. */
  cpu_percent: z.number().min(0).max(100),
  mem_used_bytes: Bytes,
  mem_total_bytes: Bytes,
  /**
   * Traffic of the host's external link (`--external-link`), where the VMs' traffic leaves;
   * null when that link has no rate (not found, or first sight of it).
   */
  net_rx_bytes_per_s: Rate.nullable(),
  net_tx_bytes_per_s: Rate.nullable(),
});
export type UsageSummary = z.infer<typeof UsageSummary>;

const DurationText = z
  .string()
  .max(32)
  .refine((s) => {
    try {
      return parseDuration(s) > 0;
    } catch {
      return false;
    }
  }, 'must be a duration such as 90s, 10m, 1h, 24h');

/**
 * `since`: an ISO timestamp, or a duration meaning "the last ..." (default `1h`). `step`: the
 * width of one point (a duration; default the sample interval within the last hour, else 1m).
 */
export const StatsQuery = z.strictObject({
  since: z.union([Timestamp, DurationText]).optional(),
  step: DurationText.optional(),
});
export type StatsQuery = z.infer<typeof StatsQuery>;

/** Series aligned on one time axis; null where no sample fell in a step. */
const SeriesSet = z.record(z.string(), z.array(z.number().nullable()));

/** History: start of each step in unix seconds (`t`), and series aligned with it. */
const HistoryAxis = z.object({
  step_s: z.int().positive(),
  t: z.array(z.int()),
});

export const HostStatsHistory = HistoryAxis.extend({
  /** `cpu_busy`, `cpu_user`, `cpu_kernel`, `load_1m`, `mem_used_bytes`, `swap_reserved_bytes`, ... */
  host: SeriesSet,
  /** The host's own links (VM VNICs are in each VM's history), by link. */
  links: z.record(z.string(), SeriesSet),
  pools: z.record(z.string(), SeriesSet),
});
export type HostStatsHistory = z.infer<typeof HostStatsHistory>;

/** `GET /stats`: the host's current usage (also what Zoneweaver clients call to test a key). */
export const HostStatsSummary = z.object({
  host_id: z.string(),
  hostname: z.string(),
  /** Configured seconds between samples (0: sampling is off, and there are no figures). */
  interval_s: z.number().min(0),
  usage: UsageSummary.nullable(),
  now: HostUsage.nullable(),
});
export type HostStatsSummary = z.infer<typeof HostStatsSummary>;

/** `GET /api/stats`: now and history. */
export const HostStats = HostStatsSummary.extend({ history: HostStatsHistory });
export type HostStats = z.infer<typeof HostStats>;

export const VmStatsHistory = HistoryAxis.extend({
  /** `cpu_used`, `net_rx_bytes_per_s`, `net_tx_bytes_per_s`, `net_rx_packets_per_s`, ... */
  vm: SeriesSet,
});
export type VmStatsHistory = z.infer<typeof VmStatsHistory>;

export const VmStats = z.object({
  vm_id: VmId,
  interval_s: z.number().min(0),
  now: VmUsage.nullable(),
  history: VmStatsHistory,
});
export type VmStats = z.infer<typeof VmStats>;
