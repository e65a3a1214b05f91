import { describe, expect, it } from 'vitest';
import {
  normalizeNatRule,
  parseNatList,
  renderMapRules,
  renderRdrRule,
} from '../../src/host/ipnat.js';

const LIST = `List of active MAP/Redirect filters:
map igb0 10.10.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto
map igb0 10.10.0.0/24 -> 0.0.0.0/32
rdr igb0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp

List of active sessions:
MAP 10.10.0.5       38412 <- -> 192.168.1.10    38412 [203.0.113.9 443]
RDR 10.10.0.5       22    <- -> 192.168.1.10    2222  [198.51.100.7 50122]
`;

describe('parseNatList', () => {
  it('reads the rules and counts the sessions', () => {
    const { rules, sessions } = parseNatList(LIST);
    expect(rules).toEqual([
      'map igb0 10.10.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto',
      'map igb0 10.10.0.0/24 -> 0.0.0.0/32',
      'rdr igb0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp',
    ]);
    expect(sessions).toBe(2);
  });

  it('handles empty lists (headers are always printed)', () => {
    expect(
      parseNatList('List of active MAP/Redirect filters:\n\nList of active sessions:\n'),
    ).toEqual({
      rules: [],
      sessions: 0,
    });
  });

  it('drops the hit counts printed by -h', () => {
    const out =
      'List of active MAP/Redirect filters:\n3 rdr igb0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp\n';
    expect(parseNatList(out).rules[0]).toMatch(/^rdr /);
  });
});

describe('rules', () => {
  it('renders rules that compare equal to the kernel rendering', () => {
    const [map] = renderMapRules('igb0', '10.10.0.0/24');
    expect(normalizeNatRule(map!)).toBe('map igb0 10.10.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto');
    expect(renderRdrRule('igb0', { hostPort: 2222, ip: '10.10.0.5', guestPort: 22 })).toBe(
      'rdr igb0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp',
    );
  });

  it('refuses values that are not a link, an address or a port', () => {
    expect(() => renderRdrRule('igb0;x', { hostPort: 1, ip: '10.0.0.1', guestPort: 22 })).toThrow();
    expect(() => renderRdrRule('igb0', { hostPort: 1, ip: '10.0.0.1 x', guestPort: 22 })).toThrow();
    expect(() =>
      renderRdrRule('igb0', { hostPort: 70000, ip: '10.0.0.1', guestPort: 22 }),
    ).toThrow();
  });
});
