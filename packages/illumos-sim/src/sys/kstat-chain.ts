import type { HostState } from '../core/state-types.js';
import { kstatContext } from './kstat-context.js';
import { cpuKstats } from './kstat-cpu.js';
import { linkKstats } from './kstat-links.js';
import { type KstatInstance, strcasecmp } from './kstat-types.js';
import { unixKstats } from './kstat-unix.js';
import { vmmKstats } from './kstat-vmm.js';
import { zfsKstats } from './kstat-zfs.js';
import { zonesKstats } from './kstat-zones.js';

/**
 * Every kstat the global zone can see at `now`, in kstat(8)'s display order: module
 * (strcasecmp), then instance number, then name (compare_instances in kstat.c).
 */
export function kstatChain(state: HostState, now: number): KstatInstance[] {
  const ctx = kstatContext(state, now);
  const all = [
    ...unixKstats(ctx),
    ...cpuKstats(ctx),
    ...zfsKstats(ctx),
    ...linkKstats(ctx),
    ...zonesKstats(ctx),
    ...vmmKstats(ctx),
  ];
  return all.sort(
    (a, b) =>
      strcasecmp(a.module, b.module) || a.instance - b.instance || strcasecmp(a.name, b.name),
  );
}
