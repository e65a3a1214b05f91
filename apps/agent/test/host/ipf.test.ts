import { describe, expect, it } from 'vitest';
import { parseIpfstat, renderEgressRules } from '../../src/host/ipf.js';

describe('parseIpfstat', () => {
  it('reads one rule per line and skips the empty-list notices', () => {
    const out = `empty list for ipfilter(out)
block in quick on natgw0 proto tcp from 10.10.0.5/32 to any flags S/SA
pass in quick on igb0 proto udp from any to 10.10.0.5/32 port = 53 keep state
`;
    expect(parseIpfstat(out)).toEqual([
      'block in quick on natgw0 proto tcp from 10.10.0.5/32 to any flags S/SA',
      'pass in quick on igb0 proto udp from any to 10.10.0.5/32 port = 53 keep state',
    ]);
  });
});

describe('renderEgressRules', () => {
  it('blocks only SYN-without-ACK so replies to inbound connections still pass', () => {
    const rules = renderEgressRules();
    expect(rules[0]).toBe('block out quick proto tcp from any to any flags S/SA');
    expect(rules.every((r) => r.startsWith('block out quick'))).toBe(true);
  });
});
