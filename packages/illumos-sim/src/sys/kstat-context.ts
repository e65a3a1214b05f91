import type { HostState } from '../core/state-types.js';
import type { KstatInstance, KstatType, KValue } from './kstat-types.js';
import { kstatString } from './kstat-types.js';
import { uptimeMs } from './load-accounting.js';

/** What every kstat builder needs: the state, the wall clock, and gethrtime() at that moment. */
export interface KstatContext {
  state: HostState;
  now: number;
  /** gethrtime(): nanoseconds since the machine started. */
  hrnow: bigint;
}

/**
 * gethrtime() counts from power-on; `boot_time` is stamped a few seconds later, and the kstats
 * made while booting in between (so crtime < snaptime even on a host initialized just now).
 */
export const HRTIME_AT_BOOT_TIME = 9_000_000_000n;
export const BOOT_CRTIME = 4_812_305_117n;

/** gethrtime() at a wall-clock time (ms). */
export function hrtimeAt(state: HostState, ms: number): bigint {
  return BigInt(uptimeMs(state, ms)) * 1_000_000n + HRTIME_AT_BOOT_TIME;
}

export function kstatContext(state: HostState, now: number): KstatContext {
  return { state, now, hrnow: hrtimeAt(state, now) };
}

export function instance(
  ctx: KstatContext,
  module: string,
  inst: number,
  name: string,
  cls: string,
  stats: Array<[string, KValue]>,
  opts: { type?: KstatType; crtime?: bigint } = {},
): KstatInstance {
  return {
    module: kstatString(module),
    instance: inst,
    name: kstatString(name),
    class: kstatString(cls),
    type: opts.type ?? 1,
    crtime: opts.crtime ?? BOOT_CRTIME,
    snaptime: ctx.hrnow,
    stats,
  };
}
