import { describe, expect, it } from 'vitest';
import type { IpfInstance } from '../src/core/state-types.js';
import { parseIpfRule } from '../src/net/ipf-rules.js';
import { admitsInboundTcp, filterPacket, type TcpPacket } from '../src/net/ipf-verdict.js';

/** Rules as `ipf -f` stores them (parsed and normalized), split by direction. */
function instance(...lines: string[]): IpfInstance {
  const inst: IpfInstance = { enabled: true, rulesIn: [], rulesOut: [], nat: [] };
  for (const line of lines) {
    const parsed = parseIpfRule(line);
    if ('errorToken' in parsed) throw new Error(`bad rule ${line}`);
    (parsed.direction === 'in' ? inst.rulesIn : inst.rulesOut).push(parsed.rule);
  }
  return inst;
}

const conn = {
  iface: 'vnic0',
  client: '127.0.0.1',
  clientPort: 51000,
  guest: '10.0.0.5',
  guestPort: 22,
};
const reply = (flags: string): TcpPacket => ({
  direction: 'out',
  iface: 'vnic0',
  src: '10.0.0.5',
  srcPort: 22,
  dst: '127.0.0.1',
  dstPort: 51000,
  flags,
});

describe('what a packet filter instance does with a TCP connection', () => {
  it('passes everything with no rules, or when the instance is disabled', () => {
    expect(admitsInboundTcp(instance(), conn)).toBe(true);
    expect(admitsInboundTcp({ ...instance('block in all'), enabled: false }, conn)).toBe(true);
  });

  it("lets replies through the agent's deny_outgoing rules but blocks the guest's own SYN", () => {
    const egress = instance(
      'block out quick proto tcp from any to any flags S/SA',
      'block out quick proto udp from any to any',
      'block out quick proto icmp from any to any icmp-type echo',
    );
    expect(admitsInboundTcp(egress, conn)).toBe(true);
    expect(filterPacket(egress, reply('S')).pass).toBe(false);
    expect(filterPacket(egress, reply('SA')).pass).toBe(true);
  });

  it('refuses a connection whose replies are blocked, unless the pass that let it in keeps state', () => {
    expect(admitsInboundTcp(instance('block out quick all'), conn)).toBe(false);
    expect(
      admitsInboundTcp(
        instance('pass in quick proto tcp from any to any port = 22 keep state', 'block out all'),
        conn,
      ),
    ).toBe(true);
  });

  it('takes the last matching rule, or the first quick one', () => {
    expect(admitsInboundTcp(instance('block in all', 'pass in all'), conn)).toBe(true);
    expect(admitsInboundTcp(instance('pass in all', 'block in all'), conn)).toBe(false);
    expect(admitsInboundTcp(instance('pass in quick all', 'block in all'), conn)).toBe(true);
  });

  it('matches interfaces, addresses and ports', () => {
    expect(admitsInboundTcp(instance('block in on vnic9 all'), conn)).toBe(true);
    expect(admitsInboundTcp(instance('block in on vnic0 all'), conn)).toBe(false);
    expect(admitsInboundTcp(instance('block in from any to 10.0.0.0/24 port = 22'), conn)).toBe(
      false,
    );
    expect(admitsInboundTcp(instance('block in from any to 10.0.0.0/24 port = 80'), conn)).toBe(
      true,
    );
    expect(admitsInboundTcp(instance('block in from !127.0.0.0/8 to any'), conn)).toBe(true);
    expect(admitsInboundTcp(instance('block in from any to any port 1000 >< 2000'), conn)).toBe(
      true,
    );
    expect(admitsInboundTcp(instance('block in from any to any port 20 >< 30'), conn)).toBe(false);
    expect(admitsInboundTcp(instance('block in proto udp from any to any'), conn)).toBe(true);
  });
});
