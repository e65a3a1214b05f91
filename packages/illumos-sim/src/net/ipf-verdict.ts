import type { IpfInstance } from '../core/state-types.js';
import { cidrContains } from './address-match.js';

/**
 * What an IP Filter instance does with one TCP packet, from its rules as `ipfstat -R` stores
 * them (ipf-rules.ts). ipf(5): rules are tried in order, the last matching `pass`/`block`
 * decides unless a matching rule says `quick`, which decides at once; no match passes (the
 * illumos default). `log`, `count`, `call` and `auth` rules never decide here. A `pass` with
 * `keep state` lets the rest of that connection through both ways without the rules.
 * Rule groups (`head`/`group`) are not modelled: rules in a group never match.
 */
export interface TcpPacket {
  direction: 'in' | 'out';
  /** The interface the packet crosses, for `on IF`. */
  iface: string;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** TCP flags as ipf letters: `S` (SYN), `SA` (SYN/ACK), `A`, `PA`, ... */
  flags: string;
}

export interface Verdict {
  pass: boolean;
  keepState: boolean;
}

const DECIDING = new Set(['pass', 'block']);

export function filterPacket(instance: IpfInstance, packet: TcpPacket): Verdict {
  if (!instance.enabled) return { pass: true, keepState: false };
  let verdict: Verdict = { pass: true, keepState: false };
  const rules = packet.direction === 'in' ? instance.rulesIn : instance.rulesOut;
  for (const rule of rules) {
    const words = rule.split(' ');
    if (!DECIDING.has(words[0] as string) || !matches(words, packet)) continue;
    verdict = { pass: words[0] === 'pass', keepState: hasPair(words, 'keep', 'state') };
    if (words.includes('quick')) break;
  }
  return verdict;
}

function hasPair(words: string[], first: string, second: string): boolean {
  return words.some((w, i) => w === first && words[i + 1] === second);
}

function matches(words: string[], p: TcpPacket): boolean {
  if (words[1] !== p.direction && words[2] !== p.direction) return false;
  if (words.includes('group')) return false;
  const wordAfter = (key: string) => {
    const at = words.indexOf(key);
    return at < 0 ? undefined : words[at + 1];
  };
  const on = wordAfter('on');
  if (on !== undefined && on !== p.iface) return false;
  const proto = wordAfter('proto');
  if (proto !== undefined && proto !== 'tcp' && proto !== 'tcp/udp' && proto !== 'ip') return false;
  if (words.includes('icmp-type')) return false;
  const flags = wordAfter('flags');
  if (flags !== undefined && !flagsMatch(flags, p.flags)) return false;
  const from = words.indexOf('from');
  if (from < 0) return true;
  const to = words.indexOf('to', from);
  return (
    endpointMatches(words.slice(from + 1, to), p.src, p.srcPort) &&
    endpointMatches(words.slice(to + 1), p.dst, p.dstPort)
  );
}

/** `flags S/SA`: the packet's flags masked with SA must be exactly S. */
function flagsMatch(spec: string, packetFlags: string): boolean {
  const [want = '', mask = 'FSRPAU'] = spec.split('/');
  const masked = [...packetFlags].filter((f) => mask.includes(f));
  return masked.length === want.length && [...want].every((f) => masked.includes(f));
}

/** `[!]any|CIDR [port OP N | port A <> B | port A >< B | port A:B]` */
function endpointMatches(words: string[], address: string, port: number): boolean {
  const addr = words[0] ?? 'any';
  const negated = addr.startsWith('!');
  const bare = negated ? addr.slice(1) : addr;
  const inside = bare === 'any' || cidrContains(bare, address);
  if (inside === negated) return false;
  if (words[1] !== 'port') return true;
  const [a, b, c] = words.slice(2);
  if (a?.includes(':')) {
    const [lo, hi] = a.split(':').map(Number) as [number, number];
    return port >= lo && port <= hi;
  }
  if (b === '<>') return port < Number(a) || port > Number(c);
  if (b === '><') return port > Number(a) && port < Number(c);
  const n = Number(b);
  switch (a) {
    case '=':
      return port === n;
    case '!=':
      return port !== n;
    case '<':
      return port < n;
    case '>':
      return port > n;
    case '<=':
      return port <= n;
    case '>=':
      return port >= n;
    default:
      return false;
  }
}

/**
 * Whether a TCP connection from outside to a guest port gets through an instance: the SYN in,
 * then (unless the pass that let it in keeps state) the SYN/ACK and data out and the ACKs in.
 */
export function admitsInboundTcp(
  instance: IpfInstance,
  conn: { iface: string; client: string; clientPort: number; guest: string; guestPort: number },
): boolean {
  const inbound = (flags: string): TcpPacket => ({
    direction: 'in',
    iface: conn.iface,
    src: conn.client,
    srcPort: conn.clientPort,
    dst: conn.guest,
    dstPort: conn.guestPort,
    flags,
  });
  const outbound = (flags: string): TcpPacket => ({
    direction: 'out',
    iface: conn.iface,
    src: conn.guest,
    srcPort: conn.guestPort,
    dst: conn.client,
    dstPort: conn.clientPort,
    flags,
  });
  const syn = filterPacket(instance, inbound('S'));
  if (!syn.pass) return false;
  if (syn.keepState) return true;
  return [outbound('SA'), inbound('A'), outbound('PA'), inbound('PA'), outbound('FA')].every(
    (packet) => filterPacket(instance, packet).pass,
  );
}
