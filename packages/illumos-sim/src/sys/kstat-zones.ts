import { parseMemSize } from '../core/sizes.js';
import type { ZoneRecord } from '../core/state-types.js';
import { resourcesOf } from '../zones/zone-config.js';
import type { KstatContext } from './kstat-context.js';
import { BOOT_CRTIME, hrtimeAt, instance } from './kstat-context.js';
import { type KstatInstance, str, u32, u64 } from './kstat-types.js';
import {
  baselineCpuNsAt,
  currentRates,
  hostAveragesAt,
  toFixedPoint,
  zoneAveragesAt,
  zoneRunTotalsAt,
} from './load-accounting.js';
import { SYSTEM_SHARE } from './load-state.js';

/**
 * Per-zone kstats from usr/src/uts/common/os/zone.c: `zones:ID:NAME` (zone_misc),
 * `caps:ID:{lockedmem,swapresv,nprocs}_zone_ID` (rctl kstats, zone_caps) and
 * `memory_cap:ID:NAME` (zone_memory_cap), plus `caps:ID:cpucaps_zone_ID` for a zone with a
 * CPU cap (usr/src/uts/common/disp/cpucaps.c). They exist while the zone has an id (ready or
 * running) and start from zero at every boot, since each boot makes a new zone_t. illumos's
 * memory_cap has no rss (that is SmartOS): a zone's guest memory shows only in the host's
 * free memory and in vmm_reservoir.
 */
const UINT64_MAX = (1n << 64n) - 1n;
const INT_MAX = 2_147_483_647n;

interface ZoneView {
  id: number;
  name: string;
  userNs: bigint;
  sysNs: bigint;
  avg: [number, number, number];
  bootTime: number;
  crtime: bigint;
  zone?: ZoneRecord;
}

function globalView(ctx: KstatContext): ZoneView {
  return {
    id: 0,
    name: 'global',
    userNs: 0n,
    sysNs: baselineCpuNsAt(ctx.state, ctx.now),
    avg: hostAveragesAt(ctx.state, ctx.now),
    bootTime: ctx.state.bootTime,
    crtime: BOOT_CRTIME,
  };
}

function zoneView(ctx: KstatContext, zone: ZoneRecord): ZoneView {
  const run = zoneRunTotalsAt(ctx.state, zone, ctx.now);
  const sys = (run.cpuNs * BigInt(Math.round(SYSTEM_SHARE * 1000))) / 1000n;
  const booted = zone.bootedAt;
  return {
    id: zone.zoneid!,
    name: zone.name,
    userNs: run.cpuNs - sys,
    sysNs: sys,
    avg: zoneAveragesAt(ctx.state, zone, ctx.now),
    bootTime: booted === undefined ? 0 : Math.floor(booted / 1000),
    crtime: booted === undefined ? ctx.hrnow : hrtimeAt(ctx.state, booted),
    zone,
  };
}

function capValue(zone: ZoneRecord | undefined, prop: 'locked' | 'swap'): bigint {
  const cap = zone && resourcesOf(zone.config, 'capped-memory')[0]?.props[prop];
  const bytes = cap === undefined ? undefined : parseMemSize(cap);
  return bytes === undefined ? UINT64_MAX : BigInt(bytes);
}

function zoneKstats(ctx: KstatContext, v: ZoneView): KstatInstance[] {
  const opts = { crtime: v.crtime };
  const avg = v.avg.map(toFixedPoint);
  const caps = (what: string, usage: bigint, value: bigint) =>
    instance(
      ctx,
      'caps',
      v.id,
      `${what}_zone_${v.id}`,
      'zone_caps',
      [
        ['zonename', str(v.name)],
        ['usage', u64(usage)],
        ['value', u64(value)],
      ],
      opts,
    );
  const out = [
    instance(
      ctx,
      'zones',
      v.id,
      v.name,
      'zone_misc',
      [
        ['zonename', str(v.name)],
        ['nsec_user', u64(v.userNs)],
        ['nsec_sys', u64(v.sysNs)],
        ['nsec_waitrq', u64(0)],
        ['avenrun_1min', u32(avg[0]!)],
        ['avenrun_5min', u32(avg[1]!)],
        ['avenrun_15min', u32(avg[2]!)],
        ['forkfail_cap', u32(0)],
        ['forkfail_noproc', u32(0)],
        ['forkfail_nomem', u32(0)],
        ['forkfail_misc', u32(0)],
        ['nested_interp', u32(0)],
        ['init_pid', u32(v.id === 0 ? 1 : 1000 + v.id * 7)],
        ['boot_time', u64(v.bootTime)],
      ],
      opts,
    ),
    caps('lockedmem', 0n, capValue(v.zone, 'locked')),
    caps('swapresv', v.id === 0 ? 512n << 20n : 48n << 20n, capValue(v.zone, 'swap')),
    caps('nprocs', v.id === 0 ? 60n : 4n, INT_MAX),
    instance(
      ctx,
      'memory_cap',
      v.id,
      v.name,
      'zone_memory_cap',
      [
        ['zonename', str(v.name)],
        ['pgpgin', u64(0)],
        ['anonpgin', u64(0)],
        ['execpgin', u64(0)],
        ['fspgin', u64(0)],
        ['anon_alloc_fail', u64(0)],
      ],
      opts,
    ),
  ];
  const cap = v.zone && resourcesOf(v.zone.config, 'capped-cpu')[0]?.props.ncpus;
  if (v.zone && cap !== undefined && Number.isFinite(Number(cap))) {
    const usage = BigInt(Math.round((currentRates(ctx.state, v.zone)?.cpu ?? 0) * 100));
    out.push(
      instance(
        ctx,
        'caps',
        v.id,
        `cpucaps_zone_${v.id}`,
        'zone_caps',
        [
          ['value', u64(BigInt(Math.round(Number(cap) * 100)))],
          ['usage', u64(usage)],
          ['nwait', u64(0)],
          ['below_sec', u64(0)],
          ['above_sec', u64(0)],
          ['maxusage', u64(usage)],
          ['zonename', str(v.name)],
        ],
        opts,
      ),
    );
  }
  return out;
}

export function zonesKstats(ctx: KstatContext): KstatInstance[] {
  const out = zoneKstats(ctx, globalView(ctx));
  for (const zone of ctx.state.zones) {
    if (zone.zoneid !== undefined) out.push(...zoneKstats(ctx, zoneView(ctx, zone)));
  }
  return out;
}
