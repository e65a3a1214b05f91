import type { LinkUsage, VmUsage } from '@apiary/protocol';
import { measure, spanOf, sumRates } from './device-rates.js';
import type { RawSample } from './raw-sample.js';

/*
 * One VM's figures: its zone's CPU time (the zone kstat, recreated from zero at every boot, so
 * a reboot between samples gives the rate since the boot rather than a negative one), its
 * VNICs' traffic, and what illumos can say about its memory and disks (see VmUsage).
 */

/** What the agent knows of a VM without a host command (its database row and layout). */
export interface VmSubject {
  id: string;
  vcpus: number;
  memBytes: number;
  /** The VNICs the agent gave it; the zone's kstat `zonename` adds any others it runs with. */
  vnics: string[];
}

export interface VmFigures {
  usage: VmUsage;
  /** CPU nanoseconds its zone used over the interval (null when unknown). */
  cpuNs: bigint | null;
}

/** What every VM of one sample shares, computed once. */
export interface VmSampleContext {
  prev: RawSample | null;
  cur: RawSample;
  sampledAt: string;
  intervalS: number | null;
  pool: string;
}

/** `links`: the links of this sample that belong to `vm`. */
export function vmFigures(ctx: VmSampleContext, vm: VmSubject, links: LinkUsage[]): VmFigures {
  const { prev, cur } = ctx;
  const zone = cur.zones.get(vm.id);
  const span = zone ? spanOf(prev, prev?.zones.get(vm.id), zone) : null;
  const cpu = zone ? measure(prev?.zones.get(vm.id)?.cpuNs, zone.cpuNs, span, 64) : null;
  // A VM whose zone is not running uses no CPU: that is a measurement, not a gap.
  let usedCpus: number | null = 0;
  if (zone) usedCpus = cpu?.rate == null ? null : cpu.rate / 1e9;
  return {
    usage: {
      vm_id: vm.id,
      sampled_at: ctx.sampledAt,
      interval_s: ctx.intervalS,
      running: zone !== undefined,
      cpu: {
        vcpus: vm.vcpus,
        used: usedCpus,
        busy: usedCpus === null || vm.vcpus === 0 ? null : usedCpus / vm.vcpus,
      },
      memory: { configured_bytes: vm.memBytes },
      net: {
        rx_bytes_per_s: sumRates(links.map((l) => l.rx_bytes_per_s)),
        tx_bytes_per_s: sumRates(links.map((l) => l.tx_bytes_per_s)),
        rx_packets_per_s: sumRates(links.map((l) => l.rx_packets_per_s)),
        tx_packets_per_s: sumRates(links.map((l) => l.tx_packets_per_s)),
        links,
      },
      disk: { pool: ctx.pool },
    },
    cpuNs: zone ? (cpu?.delta ?? null) : null,
  };
}

/** Every VM's figures; each link goes to the VM it belongs to (`vm_id`), found once. */
export function allVmFigures(ctx: VmSampleContext, vms: VmSubject[], links: LinkUsage[]) {
  const linksOf = new Map<string, LinkUsage[]>();
  for (const l of links) {
    if (l.vm_id === null) continue;
    const list = linksOf.get(l.vm_id);
    if (list) list.push(l);
    else linksOf.set(l.vm_id, [l]);
  }
  const usage = new Map<string, VmUsage>();
  const cpuNs = new Map<string, bigint | null>();
  for (const vm of vms) {
    const f = vmFigures(ctx, vm, linksOf.get(vm.id) ?? []);
    usage.set(vm.id, f.usage);
    cpuNs.set(vm.id, f.cpuNs);
  }
  return { usage, cpuNs };
}
