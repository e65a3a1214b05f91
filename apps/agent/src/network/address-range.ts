import { intToIp, ipToInt, parseSubnet } from '../host/layout.js';

/*
 * Static addressing of a network: the subnet, its gateway, and the range VMs are given
 * addresses from. Addresses are handed out lowest first, skipping the gateway and any address
 * already given on that network; the database's unique index is what makes two VMs never get
 * the same one, this only proposes.
 */

export interface StaticAddressing {
  subnet: string;
  prefix: number;
  gateway: string | null;
  first: number;
  last: number;
}

/** Check a network's addressing; returns a reason when it does not hold together. */
export function planAddressing(input: {
  subnet: string;
  gateway?: string | null;
  range?: string | null;
}): StaticAddressing | string {
  const net = parseSubnet(input.subnet);
  const lowest = net.base + 1;
  const highest = net.base + 2 ** (32 - net.prefix) - 2;
  const inside = (n: number) => n >= lowest && n <= highest;
  const gateway = input.gateway ? ipToInt(input.gateway) : null;
  if (gateway !== null && !inside(gateway))
    return `gateway ${input.gateway} is not a host address of ${net.cidr}`;
  let first = lowest;
  let last = highest;
  if (input.range) {
    const [a, b] = input.range.split('-') as [string, string];
    first = ipToInt(a);
    last = ipToInt(b);
    if (!inside(first) || !inside(last))
      return `range ${input.range} is not inside the host addresses of ${net.cidr}`;
    if (first > last) return `range ${input.range} ends before it starts`;
  }
  return { subnet: net.cidr, prefix: net.prefix, gateway: input.gateway ?? null, first, last };
}

export function rangeText(a: StaticAddressing): string {
  return `${intToIp(a.first)}-${intToIp(a.last)}`;
}

/** The lowest free address of the range, or null when every one is taken. */
export function nextFreeAddress(a: StaticAddressing, taken: ReadonlySet<string>): string | null {
  for (let n = a.first; n <= a.last; n++) {
    const ip = intToIp(n);
    if (ip !== a.gateway && !taken.has(ip)) return ip;
  }
  return null;
}
