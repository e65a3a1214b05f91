import { CommandExit } from '../core/io.js';
import type { HostState, IpfInstance } from '../core/state-types.js';

/**
 * Picks the packet filter instance a command addresses: the global zone's, or with `-G ZONE`
 * the zone's GZ-controlled instance, which exists only while the zone runs.
 */
export function instanceFor(state: HostState, zone: string | undefined): IpfInstance {
  if (zone === undefined) return state.ipfilter.global;
  const inst = state.ipfilter.zones[zone];
  const z = state.zones.find((x) => x.name === zone);
  if (!inst || !z || z.state !== 'running')
    throw new CommandExit(1, `Could not find running zone: ${zone}\n`);
  return inst;
}
