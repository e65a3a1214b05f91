import type { ZoneRecord } from '../core/state-types.js';
import { attrValue } from '../zones/zone-config.js';
import type { KstatContext } from './kstat-context.js';
import { hrtimeAt, instance } from './kstat-context.js';
import { type KstatInstance, str, u32, u64 } from './kstat-types.js';
import { guestMemory, zoneRunTotalsAt } from './load-accounting.js';
import { SYSTEM_SHARE } from './load-state.js';

/**
 * bhyve's kstats (usr/src/uts/intel/io/vmm/vmm_sol_dev.c, vmm_kstat_alloc/vmm_kstat_init):
 * per VM `vmm:MINOR:vm` (vm_name) and `vmm:MINOR:vcpuN` for all VM_MAXCPU = 32 vCPUs with the
 * nanoseconds each spent per microstate; and the host's `vmm:0:vmm_reservoir`
 * (vmm_reservoir.c), where guest memory allocated on demand counts as bytes_transient_alloc.
 * The sim uses the zone id as the VM's minor number (the driver hands out the lowest free
 * minor from 1, which is the same on a host that boots its VMs in order).
 */
const VM_MAXCPU = 32;

function vmKstats(ctx: KstatContext, zone: ZoneRecord): KstatInstance[] {
  const minor = zone.zoneid!;
  const crtime = zone.bootedAt === undefined ? ctx.hrnow : hrtimeAt(ctx.state, zone.bootedAt);
  const opts = { crtime };
  const vcpus = Math.min(VM_MAXCPU, Math.max(1, Number(attrValue(zone.config, 'vcpus')) || 1));
  const up = ctx.hrnow > crtime ? ctx.hrnow - crtime : 0n;
  const cpu = zoneRunTotalsAt(ctx.state, zone, ctx.now).cpuNs;
  const run = (cpu * BigInt(Math.round(SYSTEM_SHARE * 1000))) / 1000n;
  const emu = cpu - run;
  const out = [instance(ctx, 'vmm', minor, 'vm', 'misc', [['vm_name', str(zone.name)]], opts)];
  for (let i = 0; i < VM_MAXCPU; i++) {
    const active = i < vcpus;
    const myRun = active ? run / BigInt(vcpus) : 0n;
    const myEmu = active ? emu / BigInt(vcpus) : 0n;
    const busy = myRun + myEmu;
    out.push(
      instance(
        ctx,
        'vmm',
        minor,
        `vcpu${i}`,
        'misc',
        [
          ['vcpu', u32(i)],
          ['time_init', u64(active ? 0n : up)],
          ['time_run', u64(myRun)],
          ['time_idle', u64(active && up > busy ? up - busy : 0n)],
          ['time_emu_kern', u64(0)],
          ['time_emu_user', u64(myEmu)],
          ['time_sched', u64(0)],
        ],
        opts,
      ),
    );
  }
  return out;
}

function reservoir(ctx: KstatContext): KstatInstance {
  const { physmemPages, pagesize } = ctx.state;
  const ppMaximum = 125 + Math.floor(physmemPages / 10);
  const limit = (BigInt(physmemPages * 10 - ppMaximum * 12) * BigInt(pagesize)) / 10n;
  return instance(ctx, 'vmm', 0, 'vmm_reservoir', 'misc', [
    ['bytes_free', u64(0)],
    ['bytes_alloc', u64(0)],
    ['bytes_transient_alloc', u64(guestMemory(ctx.state))],
    ['bytes_limit', u64(limit)],
  ]);
}

/** The vmm driver is loaded once the host has bhyve zones; VMs exist while zones run. */
export function vmmKstats(ctx: KstatContext): KstatInstance[] {
  const bhyve = ctx.state.zones.filter((z) => z.config.props.brand === 'bhyve');
  if (bhyve.length === 0) return [];
  const out = [reservoir(ctx)];
  for (const zone of bhyve) {
    if (zone.state === 'running' && zone.zoneid !== undefined) out.push(...vmKstats(ctx, zone));
  }
  return out;
}
