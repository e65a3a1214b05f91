import type { LinkRates, PoolRates } from './device-rates.js';
import type { CpuAdvance } from './host-usage.js';

/*
 * Running totals behind the Prometheus counters: each sample adds how much every counter
 * advanced (wrap and reset safe, see counter-delta.ts), so the exported counters only ever go
 * up while the agent runs, whatever the kstats did, and Prometheus's rate() sees no false
 * resets. Entries for what is gone (a link removed, a VM deleted) are dropped at the sample
 * that no longer sees them: the totals are bounded by what the host has now.
 */

export const LINK_COUNTERS = [
  'rxBytes',
  'txBytes',
  'rxPackets',
  'txPackets',
  'rxErrors',
  'txErrors',
] as const;
export const POOL_COUNTERS = ['readBytes', 'writeBytes', 'reads', 'writes'] as const;
export const CPU_MODES = ['user', 'kernel', 'idle'] as const;

type Totals<K extends string> = Record<K, bigint>;
const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0n])) as Totals<K>;

export class UsageTotals {
  readonly cpus = new Map<number, Totals<(typeof CPU_MODES)[number]>>();
  readonly links = new Map<string, Totals<(typeof LINK_COUNTERS)[number]>>();
  readonly pools = new Map<string, Totals<(typeof POOL_COUNTERS)[number]>>();
  readonly vmCpuNs = new Map<string, bigint>();

  add(sample: {
    cpus: CpuAdvance[];
    cpuIds: number[];
    links: LinkRates[];
    pools: PoolRates[];
    vmCpuNs: Map<string, bigint | null>;
  }): void {
    keepOnly(this.cpus, new Set(sample.cpuIds));
    for (const a of sample.cpus) {
      const t = getOr(this.cpus, a.cpu, () => zeros(CPU_MODES));
      for (const m of CPU_MODES) t[m] += a[m];
    }
    keepOnly(this.links, new Set(sample.links.map((l) => l.link)));
    for (const l of sample.links) {
      const t = getOr(this.links, l.link, () => zeros(LINK_COUNTERS));
      for (const k of LINK_COUNTERS) t[k] += l[k].delta ?? 0n;
    }
    keepOnly(this.pools, new Set(sample.pools.map((p) => p.pool)));
    for (const p of sample.pools) {
      const t = getOr(this.pools, p.pool, () => zeros(POOL_COUNTERS));
      for (const k of POOL_COUNTERS) t[k] += p[k].delta ?? 0n;
    }
    keepOnly(this.vmCpuNs, new Set(sample.vmCpuNs.keys()));
    for (const [vm, ns] of sample.vmCpuNs)
      this.vmCpuNs.set(vm, (this.vmCpuNs.get(vm) ?? 0n) + (ns ?? 0n));
  }
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

function keepOnly<K>(map: Map<K, unknown>, keep: Set<K>): void {
  for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
}
