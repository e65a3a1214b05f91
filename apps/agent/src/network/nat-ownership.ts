import { normalizeNatRule, renderMapRules } from '../host/ipnat.js';
import { ipToInt, type Layout } from '../host/layout.js';

/**
 * Whether a loaded NAT rule (as `ipnat -l` lists it) is Apiary's: the outbound maps of its NAT
 * subnet, and every `rdr` on the external link into that subnet (the forward reconciler treats
 * those as its own too, removing any that belongs to no VM).
 */
export function isApiaryNatRule(layout: Layout, rule: string): boolean {
  const maps = renderMapRules(layout.externalLink, layout.subnet.cidr).map(normalizeNatRule);
  if (maps.includes(rule)) return true;
  const m = /^rdr (\S+) \S+ port \d+ -> (\d+\.\d+\.\d+\.\d+) port \d+/.exec(rule);
  if (!m || m[1] !== layout.externalLink) return false;
  const ip = ipToInt(m[2] as string);
  return ip > layout.subnet.base && ip <= layout.subnet.base + layout.subnet.maxSlot + 1;
}
