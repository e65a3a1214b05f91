import type { CpuUsage, HostUsage, LinkUsage } from '@apiary/protocol';
import { counterDelta } from './counter-delta.js';
import { type LinkRates, linkRates, type PoolRates, poolRates, spanOf } from './device-rates.js';
import type { RawSample, RawVminfo } from './raw-sample.js';

/*
 * The host's figures from two samples: CPU shares from each CPU's microstate nanoseconds,
 * memory levels from pages, swap averaged over the interval from vminfo's running sums, and
 * every link's and pool's rates.
 */

/** Nanoseconds one CPU spent in each state over the interval. */
export interface CpuAdvance {
  cpu: number;
  user: bigint;
  kernel: bigint;
  idle: bigint;
}

export interface HostFigures {
  usage: HostUsage;
  cpuAdvances: CpuAdvance[];
  links: LinkRates[];
  pools: PoolRates[];
}

export interface HostUsageContext {
  pagesize: number;
  /** The agent's VM a link belongs to (by the zone using it, or the VNIC the VM was given). */
  vmOfLink: (link: string, zone: string) => string | null;
}

const clampRatio = (x: number) => Math.min(1, Math.max(0, x));
const share = (part: bigint, total: bigint) =>
  total > 0n ? clampRatio(Number(part) / Number(total)) : null;

function cpuFigures(prev: RawSample | null, cur: RawSample) {
  const perCpu: CpuUsage[] = [];
  const advances: CpuAdvance[] = [];
  for (const [id, now] of [...cur.cpus].sort((a, b) => a[0] - b[0])) {
    const before = prev?.cpus.get(id);
    const span = spanOf(prev, before, now);
    // The kernel keeps these from decreasing (cpu_sys_stats_ks_update): no wrap, no reset.
    const user =
      before && span?.base === 'previous' ? counterDelta(before.user, now.user, 64) : null;
    const kernel = before && user !== null ? counterDelta(before.kernel, now.kernel, 64) : null;
    const idle = before && kernel !== null ? counterDelta(before.idle, now.idle, 64) : null;
    if (user === null || kernel === null || idle === null) {
      perCpu.push({ id, busy: null, user: null, kernel: null });
      continue;
    }
    const total = user + kernel + idle;
    advances.push({ cpu: id, user, kernel, idle });
    perCpu.push({
      id,
      busy: share(user + kernel, total),
      user: share(user, total),
      kernel: share(kernel, total),
    });
  }
  const sum = (k: 'user' | 'kernel' | 'idle') => advances.reduce((a, c) => a + c[k], 0n);
  const total = sum('user') + sum('kernel') + sum('idle');
  return {
    usage: {
      count: cur.cpus.size,
      busy: advances.length ? share(sum('user') + sum('kernel'), total) : null,
      user: advances.length ? share(sum('user'), total) : null,
      kernel: advances.length ? share(sum('kernel'), total) : null,
      per_cpu: perCpu,
    },
    advances,
  };
}

/** Average pages over the interval: Δsum / Δupdates (vmstat's and sar's reading of vminfo). */
function swapFigures(prev: RawVminfo | null, cur: RawVminfo | null, pagesize: number) {
  if (!prev || !cur || cur.updates <= prev.updates) return null;
  const updates = Number(cur.updates - prev.updates);
  const avg = (k: keyof RawVminfo) => {
    const d = counterDelta(prev[k], cur[k], 64);
    return d === null ? null : (Number(d) / updates) * pagesize;
  };
  const [reserved, allocated, available, free] = [
    avg('swapResv'),
    avg('swapAlloc'),
    avg('swapAvail'),
    avg('swapFree'),
  ];
  if (reserved === null || allocated === null || available === null || free === null) return null;
  return {
    reserved_bytes: reserved,
    allocated_bytes: allocated,
    available_bytes: available,
    free_bytes: free,
  };
}

export function toLinkUsage(r: LinkRates, vmId: string | null): LinkUsage {
  return {
    link: r.link,
    zone: r.zone,
    vm_id: vmId,
    rx_bytes_per_s: r.rxBytes.rate,
    tx_bytes_per_s: r.txBytes.rate,
    rx_packets_per_s: r.rxPackets.rate,
    tx_packets_per_s: r.txPackets.rate,
    rx_errors_per_s: r.rxErrors.rate,
    tx_errors_per_s: r.txErrors.rate,
  };
}

export function hostFigures(
  prev: RawSample | null,
  cur: RawSample,
  ctx: HostUsageContext,
): HostFigures {
  const cpu = cpuFigures(prev, cur);
  const links = linkRates(prev, cur);
  const pools = poolRates(prev, cur);
  const bytes = (pages: bigint | null) => (pages === null ? 0 : Number(pages) * ctx.pagesize);
  const total = bytes(cur.physmemPages);
  const free = bytes(cur.freememPages);
  const interval = prev && cur.hrtime > prev.hrtime ? Number(cur.hrtime - prev.hrtime) / 1e9 : null;
  const [avg1, avg5, avg15] = cur.load ?? [];
  return {
    usage: {
      sampled_at: new Date(cur.at).toISOString(),
      interval_s: interval,
      cpu: cpu.usage,
      load: avg1 === undefined ? null : { avg_1m: avg1, avg_5m: avg5 ?? 0, avg_15m: avg15 ?? 0 },
      memory: {
        total_bytes: total,
        free_bytes: free,
        used_bytes: Math.max(0, total - free),
        arc_bytes: cur.arcBytes === null ? null : Number(cur.arcBytes),
        vm_bytes: cur.vmmBytes === null ? null : Number(cur.vmmBytes),
      },
      swap: swapFigures(prev?.vminfo ?? null, cur.vminfo, ctx.pagesize),
      links: links.map((r) => toLinkUsage(r, ctx.vmOfLink(r.link, r.zone))),
      pools: pools.map((p) => ({
        pool: p.pool,
        read_bytes_per_s: p.readBytes.rate,
        write_bytes_per_s: p.writeBytes.rate,
        reads_per_s: p.reads.rate,
        writes_per_s: p.writes.rate,
      })),
    },
    cpuAdvances: cpu.advances,
    links,
    pools,
  };
}
