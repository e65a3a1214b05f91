import type { KstatContext } from './kstat-context.js';
import { instance } from './kstat-context.js';
import { type KstatInstance, type KValue, str, u32, u64 } from './kstat-types.js';
import { NSEC_PER_TICK } from './kstat-unix.js';
import { baselineCpuNsAt, zonesCpuNsAt } from './load-accounting.js';
import { SYSTEM_SHARE } from './load-state.js';

/**
 * `cpu:N:sys` (cpu_sys_stats_ks_data_template and cpu_sys_stats_ks_update in
 * usr/src/uts/common/os/cpu.c) and `cpu_info:N:cpu_infoN`. The host's busy time (zones plus
 * the idle baseline) is spread evenly over the CPUs; ticks are nanoseconds / nsec_per_tick
 * and cpu_ticks_wait is always 0, as in the kernel.
 */
const SYS_COUNTERS = [
  'bread',
  'bwrite',
  'lread',
  'lwrite',
  'phread',
  'phwrite',
  'pswitch',
  'trap',
  'intr',
  'syscall',
  'sysread',
  'syswrite',
  'sysfork',
  'sysvfork',
  'sysexec',
  'readch',
  'writech',
  'rcvint',
  'xmtint',
  'mdmint',
  'rawch',
  'canch',
  'outch',
  'msg',
  'sema',
  'namei',
  'ufsiget',
  'ufsdirblk',
  'ufsipage',
  'ufsinopage',
  'procovf',
  'intrthread',
  'intrblk',
  'intrunpin',
  'idlethread',
  'inv_swtch',
  'nthreads',
  'cpumigrate',
  'xcalls',
  'mutex_adenters',
  'rw_rdfails',
  'rw_wrfails',
  'modload',
  'modunload',
  'bawrite',
  'iowait',
] as const;

/** `total` split over `n` CPUs so that the parts add up exactly. */
function share(total: bigint, n: number, i: number): bigint {
  const N = BigInt(n);
  return total / N + (BigInt(i) < total % N ? 1n : 0n);
}

function cpuSys(ctx: KstatContext, id: number, user: bigint, kernel: bigint): KstatInstance {
  const up = ctx.hrnow;
  const idle = up > user + kernel ? up - user - kernel : 0n;
  const tick = BigInt(NSEC_PER_TICK);
  const clockTicks = up / tick;
  const stats: Array<[string, KValue]> = [
    ['cpu_ticks_idle', u64(idle / tick)],
    ['cpu_ticks_user', u64(user / tick)],
    ['cpu_ticks_kernel', u64(kernel / tick)],
    ['cpu_ticks_wait', u64(0)],
    ['cpu_nsec_idle', u64(idle)],
    ['cpu_nsec_user', u64(user)],
    ['cpu_nsec_kernel', u64(kernel)],
    ['cpu_nsec_dtrace', u64(0)],
    ['cpu_nsec_intr', u64(0)],
    ['cpu_load_intr', u64(0)],
    ['wait_ticks_io', u64(0)],
    ['dtrace_probes', u64(0)],
  ];
  for (const name of SYS_COUNTERS) stats.push([name, u64(name === 'intr' ? clockTicks : 0)]);
  return instance(ctx, 'cpu', id, 'sys', 'misc', stats);
}

function cpuInfo(ctx: KstatContext, id: number): KstatInstance {
  const { state } = ctx;
  return instance(ctx, 'cpu_info', id, `cpu_info${id}`, 'misc', [
    ['state', str('on-line')],
    ['state_begin', u64(state.bootTime)],
    ['cpu_type', str('i386')],
    ['fpu_type', str('i387 compatible')],
    ['clock_MHz', u64(2400)],
    ['chip_id', u64(0)],
    ['core_id', u64(id)],
    ['ncpu_per_chip', u32(state.cpus)],
    ['ncore_per_chip', u32(state.cpus)],
    [
      'implementation',
      str('x86 (chipid 0x0 GenuineIntel family 6 model 85 step 7 clock 2400 MHz)'),
    ],
    ['brand', str('Intel(r) Xeon(r) CPU (simulated)')],
    ['vendor_id', str('GenuineIntel')],
    ['current_clock_Hz', u64(2_400_000_000)],
  ]);
}

export function cpuKstats(ctx: KstatContext): KstatInstance[] {
  const { state, now } = ctx;
  const zones = zonesCpuNsAt(state, now);
  const zonesKernel = (zones * BigInt(Math.round(SYSTEM_SHARE * 1000))) / 1000n;
  const user = zones - zonesKernel;
  const kernel = zonesKernel + baselineCpuNsAt(state, now);
  const out: KstatInstance[] = [];
  for (let i = 0; i < state.cpus; i++) {
    out.push(cpuSys(ctx, i, share(user, state.cpus, i), share(kernel, state.cpus, i)));
    out.push(cpuInfo(ctx, i));
  }
  return out;
}
