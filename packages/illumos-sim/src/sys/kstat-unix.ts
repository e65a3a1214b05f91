import type { KstatContext } from './kstat-context.js';
import { instance } from './kstat-context.js';
import { type KstatInstance, u32, u64 } from './kstat-types.js';
import {
  guestMemory,
  hostAveragesAt,
  hostMemByteSecAt,
  toFixedPoint,
  uptimeMs,
} from './load-accounting.js';

/**
 * `unix:0:system_misc`, `unix:0:system_pages` and the raw `unix:0:vminfo`
 * (usr/src/uts/common/os/kstat_fr.c; vminfo's fields as kstat(8) decodes them in save_vminfo).
 * Memory: free and available pages shrink by the guest memory of running zones (bhyve takes
 * it as locked "transient" pages, see vmm_reservoir.c); swap levels are constant.
 */
export const NSEC_PER_TICK = 10_000_000; // hz = 100

export interface MemoryPages {
  physmem: number;
  freemem: number;
  availrmem: number;
  availrmemInitial: number;
}

export function memoryPages(ctx: KstatContext): MemoryPages {
  const { physmemPages: physmem, pagesize } = ctx.state;
  const guest = Math.ceil(guestMemory(ctx.state) / pagesize);
  return {
    physmem,
    freemem: Math.max(0, Math.floor(physmem * 0.6) - guest),
    availrmem: Math.max(0, Math.floor(physmem * 0.7) - guest),
    availrmemInitial: Math.floor(physmem * 0.75),
  };
}

function systemMisc(ctx: KstatContext): KstatInstance {
  const { state } = ctx;
  const ticks = Math.floor(uptimeMs(state, ctx.now) / (NSEC_PER_TICK / 1e6));
  const avg = hostAveragesAt(state, ctx.now).map(toFixedPoint);
  return instance(ctx, 'unix', 0, 'system_misc', 'misc', [
    ['ncpus', u32(state.cpus)],
    ['lbolt', u32(ticks)],
    ['deficit', u32(0)],
    ['clk_intr', u32(ticks)],
    ['vac', u32(0)],
    ['nproc', u32(60 + state.zones.length * 3)],
    ['avenrun_1min', u32(avg[0]!)],
    ['avenrun_5min', u32(avg[1]!)],
    ['avenrun_15min', u32(avg[2]!)],
    ['boot_time', u32(state.bootTime)],
    ['nsec_per_tick', u32(NSEC_PER_TICK)],
  ]);
}

function systemPages(ctx: KstatContext): KstatInstance {
  const mem = memoryPages(ctx);
  const { physmem } = mem;
  const lotsfree = Math.max(Math.floor(physmem / 64), 128);
  const fastscan = Math.min(Math.floor(physmem / 2), (64 << 20) / ctx.state.pagesize);
  return instance(ctx, 'unix', 0, 'system_pages', 'pages', [
    ['physmem', u64(physmem)],
    ['nalloc', u64(23_814_672)],
    ['nfree', u64(21_406_208)],
    ['nalloc_calls', u64(11_953)],
    ['nfree_calls', u64(8_142)],
    ['kernelbase', u64(0xfffffc8000000000n)],
    ['econtig', u64(0xfffffffffba00000n)],
    ['freemem', u64(mem.freemem)],
    ['availrmem', u64(mem.availrmem)],
    ['lotsfree', u64(lotsfree)],
    ['desfree', u64(Math.floor(lotsfree / 2))],
    ['minfree', u64(Math.floor(lotsfree / 4))],
    ['fastscan', u64(fastscan)],
    ['slowscan', u64(Math.min(100, Math.floor(fastscan / 10)))],
    ['nscan', u64(0)],
    ['desscan', u64(25)],
    ['pp_kernel', u64(Math.floor(physmem * 0.08))],
    ['pagesfree', u64(mem.freemem)],
    ['pageslocked', u64(mem.availrmemInitial - mem.availrmem)],
    ['pagestotal', u64(physmem)],
    ['low_mem_scan', u64(0)],
    ['zone_cap_scan', u64(0)],
    ['n_throttle', u64(0)],
  ]);
}

/**
 * vminfo is a raw kstat of running sums: once a second the clock adds the current freemem and
 * swap levels (pages) and bumps `updates`, so a reader divides the deltas of two samples.
 */
function vminfo(ctx: KstatContext): KstatInstance {
  const { state } = ctx;
  const updates = BigInt(Math.floor(uptimeMs(state, ctx.now) / 1000));
  const physmem = BigInt(state.physmemPages);
  const freeBase = BigInt(Math.floor(state.physmemPages * 0.6));
  const guestPageSec = hostMemByteSecAt(state, ctx.now) / BigInt(state.pagesize);
  const swapTotal = physmem;
  const resv = physmem / 20n;
  const alloc = physmem / 25n;
  return instance(
    ctx,
    'unix',
    0,
    'vminfo',
    'vm',
    [
      ['freemem', u64((BigInt(uptimeMs(state, ctx.now)) * freeBase) / 1000n - guestPageSec)],
      ['swap_resv', u64(updates * resv)],
      ['swap_alloc', u64(updates * alloc)],
      ['swap_avail', u64(updates * (swapTotal - resv))],
      ['swap_free', u64(updates * (swapTotal - alloc))],
      ['updates', u64(updates)],
    ],
    { type: 0 },
  );
}

export function unixKstats(ctx: KstatContext): KstatInstance[] {
  return [systemMisc(ctx), systemPages(ctx), vminfo(ctx)];
}
