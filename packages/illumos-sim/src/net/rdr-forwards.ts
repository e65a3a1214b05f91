import type { HostState, ZoneRecord } from '../core/state-types.js';
import { resourcesOf } from '../zones/zone-config.js';
import { cidrContains, hostPart } from './address-match.js';

/**
 * The TCP forwards a host's NAT table makes real right now: each `rdr` rule of the global
 * zone's table (as `ipnat -l` stores it) whose target is the address of a running zone. An rdr
 * rule redirects packets arriving on its link for its destination and port, so a rule counts
 * only while IP Filter is enabled (NAT is off otherwise), its link exists and the link has an
 * address inside the rule's destination (`0.0.0.0/0` matches any). With two rules for one
 * port the first wins, as ipnat matches rdr rules in order.
 */
export interface Forward {
  /** The port on the host's address. */
  hostPort: number;
  /** The link the rule names (the rdr interface). */
  link: string;
  zone: string;
  /** The zone's NIC (VNIC) that holds `guestIp`. */
  guestLink: string;
  guestIp: string;
  guestPort: number;
}

interface RdrRule {
  link: string;
  destination: string;
  port: number;
  targets: string[];
  targetPort: number | undefined;
  proto: string;
}

/** `rdr LINK DST [port P] -> IP[,IP] [port N] PROTO ...` in its normalized form. */
export function parseRdr(rule: string): RdrRule | undefined {
  const m =
    /^rdr (\S+) (\S+) port (\d+) -> ([\d.,]+)(?: port (\d+))? (tcp|udp|tcp\/udp|icmp)(?: |$)/.exec(
      rule,
    );
  if (!m) return undefined;
  return {
    link: m[1] as string,
    destination: m[2] as string,
    port: Number(m[3]),
    targets: (m[4] as string).split(','),
    targetPort: m[5] === undefined ? undefined : Number(m[5]),
    proto: m[6] as string,
  };
}

function guestNic(zone: ZoneRecord, ip: string): string | undefined {
  for (const net of resourcesOf(zone.config, 'net')) {
    const allowed = net.props['allowed-address'];
    if (allowed && hostPart(allowed) === ip) return net.props.physical ?? 'net0';
  }
  return undefined;
}

export function activeForwards(state: HostState): Forward[] {
  if (!state.ipfilter.global.enabled) return [];
  const forwards = new Map<number, Forward>();
  for (const text of state.ipfilter.global.nat) {
    const rule = parseRdr(text);
    if (!rule || (rule.proto !== 'tcp' && rule.proto !== 'tcp/udp')) continue;
    if (forwards.has(rule.port) || !state.links.some((l) => l.name === rule.link)) continue;
    const linkAddresses = state.addresses.filter((a) => a.ifname === rule.link);
    if (!linkAddresses.some((a) => cidrContains(rule.destination, hostPart(a.addr)))) continue;
    // round-robin over several targets: the first one stands for them all here
    const guestIp = rule.targets[0] as string;
    for (const zone of state.zones) {
      const nic = zone.state === 'running' ? guestNic(zone, guestIp) : undefined;
      if (!nic) continue;
      forwards.set(rule.port, {
        hostPort: rule.port,
        link: rule.link,
        zone: zone.name,
        guestLink: nic,
        guestIp,
        guestPort: rule.targetPort ?? rule.port,
      });
      break;
    }
  }
  return [...forwards.values()];
}

/**
 * The forwards a host's daemon serves (none without a public address), as one comparable
 * string: empty when there are none. Commands compare it before and after a change.
 */
export function forwardsKey(state: HostState): string {
  const forwards = state.publicAddress ? activeForwards(state) : [];
  return forwards.length === 0 ? '' : JSON.stringify([state.publicAddress, forwards]);
}
