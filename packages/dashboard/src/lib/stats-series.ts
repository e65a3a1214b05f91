import type { HostStats, VmStats } from '@apiary/protocol';
import type { ChartUnit } from './usage-units.js';

/*
 * Stats answers (`GET /v1/hosts/{id}/stats`, `GET /v1/vms/{id}/stats`) shaped for the charts:
 * one time axis in unix seconds and series aligned with it, as uPlot takes them. Gaps stay
 * null (no sample fell in that step) so a chart shows a gap rather than a made-up zero.
 */

export type Values = Array<number | null>;

export interface ChartSeries {
  label: string;
  values: Values;
}

export interface ChartData {
  unit: ChartUnit;
  /** Start of each step, unix seconds. */
  t: number[];
  series: ChartSeries[];
  /** Top of the y axis when the quantity has one (100 % CPU, the host's RAM, a VM's vCPUs). */
  max?: number;
}

/** Series names the agent uses (apps/agent/src/stats/history-rows.ts). */
const HOST = {
  cpuBusy: 'cpu_busy',
  cpuUser: 'cpu_user',
  cpuKernel: 'cpu_kernel',
  memUsed: 'mem_used_bytes',
  memArc: 'mem_arc_bytes',
  memVm: 'mem_vm_bytes',
} as const;

/** A series the answer lacks (an older agent, a figure the host cannot give) is all gaps. */
function series(set: Record<string, Values> | undefined, name: string, length: number): Values {
  const values = set?.[name];
  if (!values) return new Array<number | null>(length).fill(null);
  // Trust the axis, not the series: a short series is padded, a long one cut.
  return Array.from({ length }, (_, i) => values[i] ?? null);
}

const byName = <T>(record: Record<string, T>) =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));

export function hostCpuChart(stats: HostStats): ChartData {
  const { t, host } = stats.history;
  return {
    unit: 'share',
    t,
    max: 1,
    series: [
      { label: 'Busy', values: series(host, HOST.cpuBusy, t.length) },
      { label: 'User', values: series(host, HOST.cpuUser, t.length) },
      { label: 'Kernel', values: series(host, HOST.cpuKernel, t.length) },
    ],
  };
}

export function hostMemoryChart(stats: HostStats): ChartData {
  const { t, host } = stats.history;
  const total = stats.now?.memory.total_bytes;
  return {
    unit: 'bytes',
    t,
    ...(total ? { max: total } : {}),
    series: [
      { label: 'Used', values: series(host, HOST.memUsed, t.length) },
      { label: 'ZFS ARC', values: series(host, HOST.memArc, t.length) },
      { label: 'VM memory', values: series(host, HOST.memVm, t.length) },
    ],
  };
}

/** Received and sent bytes per second on each of the host's own links (VNICs are the VMs'). */
export function hostNetworkChart(stats: HostStats): ChartData {
  const { t, links } = stats.history;
  return {
    unit: 'byte-rate',
    t,
    series: byName(links).flatMap(([link, set]) => [
      { label: `${link} in`, values: series(set, 'rx_bytes_per_s', t.length) },
      { label: `${link} out`, values: series(set, 'tx_bytes_per_s', t.length) },
    ]),
  };
}

/** Bytes read and written per second on each pool (every vdev I/O, the VMs' disks included). */
export function hostDiskChart(stats: HostStats): ChartData {
  const { t, pools } = stats.history;
  return {
    unit: 'byte-rate',
    t,
    series: byName(pools).flatMap(([pool, set]) => [
      { label: `${pool} read`, values: series(set, 'read_bytes_per_s', t.length) },
      { label: `${pool} write`, values: series(set, 'write_bytes_per_s', t.length) },
    ]),
  };
}

/** CPUs' worth of time the VM's zone used, up to its vCPUs. */
export function vmCpuChart(stats: VmStats): ChartData {
  const { t, vm } = stats.history;
  const vcpus = stats.now?.cpu.vcpus;
  return {
    unit: 'cpus',
    t,
    ...(vcpus ? { max: vcpus } : {}),
    series: [{ label: 'CPU used', values: series(vm, 'cpu_used', t.length) }],
  };
}

/** The VM's VNICs together. */
export function vmNetworkChart(stats: VmStats): ChartData {
  const { t, vm } = stats.history;
  return {
    unit: 'byte-rate',
    t,
    series: [
      { label: 'In', values: series(vm, 'net_rx_bytes_per_s', t.length) },
      { label: 'Out', values: series(vm, 'net_tx_bytes_per_s', t.length) },
    ],
  };
}

/** Whether any series has a sample: a chart of only gaps is "no samples yet". */
export function hasSamples(chart: ChartData): boolean {
  return chart.series.some((s) => s.values.some((v) => v !== null));
}

/** The newest sample of a series, or null when it has none. */
export function latest(values: Values): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** uPlot's data layout: the axis first, then each series. */
export function toUplotData(chart: ChartData): [number[], ...Values[]] {
  return [chart.t, ...chart.series.map((s) => s.values)];
}
