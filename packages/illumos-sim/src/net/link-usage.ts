import type { HostState, LinkRecord } from '../core/state-types.js';
import { isZoneActive } from '../zones/zone-usage.js';
import { findLink } from './link-names.js';

/**
 * What holds a datalink, as the kernel sees it: a link created over it (VNIC, VLAN), a running
 * zone's `net physical`, an IP interface plumbed on it, or an aggregation owning it as a port.
 * A held link cannot be deleted (EBUSY, `link busy`). An aggregation port is opened
 * exclusively by the aggregation, so nothing else can be created over it (EBUSY too).
 */
export function dependentsOf(state: HostState, name: string): LinkRecord[] {
  return state.links.filter((l) => l.over === name);
}

export function aggregationOwning(state: HostState, name: string): LinkRecord | undefined {
  return state.links.find((l) => l.class === 'aggr' && l.ports?.includes(name));
}

export function linkBusy(state: HostState, name: string): boolean {
  return (
    dependentsOf(state, name).length > 0 ||
    state.interfaces.some((i) => i.name === name) ||
    state.zones.some(
      (z) =>
        isZoneActive(z) &&
        z.config.resources.some((r) => r.type === 'net' && r.props.physical === name),
    )
  );
}

/** Link speed in Mb/s as get_ifspeed() reports it for a link of any class. */
export function linkSpeed(state: HostState, link: LinkRecord): number {
  switch (link.class) {
    case 'phys':
      return link.speed;
    case 'aggr':
      return (link.ports ?? []).reduce((sum, p) => sum + (findLink(state, p)?.speed ?? 0), 0);
    case 'vnic':
    case 'vlan': {
      const lower = findLink(state, link.over ?? '');
      return lower ? linkSpeed(state, lower) : 0;
    }
    default:
      // etherstubs and overlays report no speed (overlay_m_stat returns ENOTSUP)
      return 0;
  }
}
