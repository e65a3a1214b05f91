import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ApiError } from '@apiary/protocol';

/*
 * Which addresses the controller connects to when someone asks it to reach an agent by address
 * (`POST /v1/hosts/test`, `POST /v1/hosts`). An org admin must not be able to make the controller
 * probe its own machine (loopback: the controller, its database port, an admin socket) or the
 * link-local network (169.254.169.254 is a cloud's metadata service) on their behalf. Real
 * agents live on routable addresses; a dev fleet or a test harness with agents on 127.0.0.1
 * turns loopback on explicitly (`--allow-agent-targets loopback`).
 */

/** Kinds of address an operator may allow. */
export const ALLOWABLE_TARGETS = ['loopback', 'link-local'] as const;
export type AllowableTarget = (typeof ALLOWABLE_TARGETS)[number];

/** Kinds that are never an agent, whatever the configuration. */
type NeverTarget = 'unspecified' | 'multicast' | 'reserved';
export type SpecialTarget = AllowableTarget | NeverTarget;

const RANGES: Array<[SpecialTarget, string, number, 'ipv4' | 'ipv6']> = [
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  // 0.0.0.0/8 "this network": connecting to 0.0.0.0 reaches the local machine on Linux.
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  // 240.0.0.0/4 (future use) and the limited broadcast 255.255.255.255.
  ['reserved', '240.0.0.0', 4, 'ipv4'],
];

const LISTS = new Map<SpecialTarget, BlockList>();
for (const [kind, net, prefix, family] of RANGES) {
  const list = LISTS.get(kind) ?? new BlockList();
  list.addSubnet(net, prefix, family);
  LISTS.set(kind, list);
}

/**
 * What is special about an IP address, or null for an ordinary one. IPv4-mapped IPv6 addresses
 * (`::ffff:127.0.0.1`) count as the IPv4 address they carry; a zone index (`fe80::1%net0`) is
 * ignored.
 */
export function classifyAddress(address: string): SpecialTarget | null {
  const bare = address.replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) throw new TypeError(`not an IP address: ${address}`);
  for (const [kind, list] of LISTS) {
    if (list.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return kind;
  }
  return null;
}

export type ResolveHost = (hostname: string) => Promise<string[]>;

/** Every address a name resolves to (A and AAAA), as the system resolver says. */
export const systemResolve: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface TargetPolicy {
  allow: ReadonlySet<AllowableTarget>;
  resolve: ResolveHost;
}

/** The address of an agent URL could not be resolved (the connection test says so). */
export class UnresolvedTarget extends Error {}

/**
 * Resolves the host of `baseUrl` and checks EVERY address it resolves to: a name that points at
 * a public address and at 127.0.0.1 is refused, so DNS tricks cannot slip a loopback address in.
 * Returns the checked addresses; the caller connects only to those (no second lookup that a
 * rebinding DNS server could answer differently).
 */
export async function checkAgentTarget(baseUrl: string, policy: TargetPolicy): Promise<string[]> {
  const hostname = new URL(baseUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(hostname)) addresses = [hostname];
  else {
    try {
      addresses = await policy.resolve(hostname);
    } catch (error) {
      throw new UnresolvedTarget(`cannot resolve ${hostname}: ${(error as Error).message}`);
    }
    if (addresses.length === 0) throw new UnresolvedTarget(`${hostname} has no address`);
  }
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === null || policy.allow.has(kind as AllowableTarget)) continue;
    const allowable = (ALLOWABLE_TARGETS as readonly string[]).includes(kind);
    const named = address === hostname ? address : `${hostname} (${address})`;
    throw new ApiError(
      'forbidden',
      allowable
        ? `the controller does not connect to ${kind} addresses such as ${named}; the operator can allow them with --allow-agent-targets ${kind}`
        : `${named} is a ${kind} address: no agent can be there`,
    );
  }
  return addresses;
}
