import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newHost, ok, run } from './helpers.js';

/** SMF services tied to the model: IP Filter and forwarding (illumos-net.md sections 2 and 3). */
describe('svcs and svcadm', () => {
  it('reports service states with -H -o state', async () => {
    const root = newHost();
    expect(await ok(root, ['svcs', '-H', '-o', 'state', 'network/ipfilter'])).toBe('online\n');
    expect(
      await ok(root, ['svcs', '-H', '-o', 'state', 'svc:/network/ipv4-forwarding:default']),
    ).toBe('disabled\n');
    expect(await run(root, ['svcs', 'nope'])).toEqual({
      stdout: '',
      stderr: "svcs: Pattern 'nope' doesn't match any instances\n",
      exitCode: 1,
    });
  });

  it('discards runtime NAT rules on refresh and loads /etc/ipf/ipnat.conf instead', async () => {
    const root = newHost();
    writeFileSync(
      join(root, 'root', 'etc', 'ipf', 'ipnat.conf'),
      'map e1000g0 10.10.0.0/24 -> 0/32\n',
    );
    await ok(root, ['ipnat', '-f', '-'], 'rdr e1000g0 0/0 port 2222 -> 10.10.0.5 port 22\n');
    await ok(root, ['svcadm', 'refresh', 'network/ipfilter']);
    expect(await ok(root, ['ipnat', '-l'])).toBe(
      'List of active MAP/Redirect filters:\nmap e1000g0 10.10.0.0/24 -> 0.0.0.0/32\n\nList of active sessions:\n',
    );
  });

  it('makes every ipnat call fail while ipfilter is disabled', async () => {
    const root = newHost();
    await ok(root, ['svcadm', 'disable', 'ipfilter']);
    expect((await run(root, ['ipnat', '-l'])).stderr).toBe('ioctl(SIOCGNATS): I/O error\n');
    await ok(root, ['svcadm', 'enable', '-s', 'ipfilter']);
    await ok(root, ['ipnat', '-l']);
  });

  it('enables IPv4 forwarding as routeadm -u -e ipv4-forwarding does', async () => {
    const root = newHost();
    await ok(root, ['svcadm', 'enable', 'ipv4-forwarding']);
    expect(await ok(root, ['routeadm', '-p', 'ipv4-forwarding'])).toBe(
      'persistent=enabled default=disabled current=enabled\n',
    );
    expect(
      await ok(root, ['ipadm', 'show-prop', '-p', 'forwarding', '-co', 'current', 'ipv4']),
    ).toBe('on\n');
  });
});
