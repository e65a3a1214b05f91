import { describe, expect, it } from 'vitest';
import { readState } from '../src/core/state-store.js';
import { activeForwards, parseRdr } from '../src/net/rdr-forwards.js';
import { makeZone, newHost, ok } from './helpers.js';

/** Which rdr rules of the NAT table become forwards to a running zone's guest. */
describe('active forwards', () => {
  it('parses rdr rules as ipnat stores them', () => {
    expect(parseRdr('rdr e1000g0 0.0.0.0/0 port 40000 -> 10.0.0.5 port 22 tcp')).toEqual({
      link: 'e1000g0',
      destination: '0.0.0.0/0',
      port: 40000,
      targets: ['10.0.0.5'],
      targetPort: 22,
      proto: 'tcp',
    });
    expect(parseRdr('map e1000g0 10.0.0.0/24 -> 0.0.0.0/32')).toBeUndefined();
  });

  it('forwards to a running zone only, on a link that has the rule destination', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const rules = [
      'rdr e1000g0 0.0.0.0/0 port 40000 -> 10.0.0.112 port 22 tcp',
      'rdr e1000g0 0.0.0.0/0 port 40000 -> 10.0.0.99 port 22 tcp',
      'rdr e1000g0 0.0.0.0/0 port 40000 -> 10.0.0.112 port 23 tcp',
      'rdr e1000g0 192.168.1.10/32 port 40080 -> 10.0.0.112 tcp',
      'rdr e1000g0 172.16.0.1/32 port 40081 -> 10.0.0.112 port 80 tcp',
      'rdr e1000g0 0.0.0.0/0 port 40053 -> 10.0.0.112 port 53 udp',
      'rdr e1000g0 0.0.0.0/0 port 40001 -> 10.0.0.99 port 22 tcp',
    ];
    await ok(root, ['ipnat', '-f', '-'], `${rules.join('\n')}\n`);
    expect(activeForwards(readState(root))).toEqual([]);
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    const forwards = activeForwards(readState(root));
    expect(forwards.map((f) => [f.hostPort, f.zone, f.guestLink, f.guestPort])).toEqual([
      [40000, 'vm1', 'vm1net0', 22],
      [40080, 'vm1', 'vm1net0', 40080],
    ]);
    await ok(root, ['ipf', '-D']);
    expect(activeForwards(readState(root))).toEqual([]);
  });
});
