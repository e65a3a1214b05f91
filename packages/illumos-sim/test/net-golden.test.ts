import { describe, expect, it } from 'vitest';
import { makeZone, newHost, ok, run, writeTemp } from './helpers.js';

/** ipadm, routeadm, ipnat, ipf and ipfstat (illumos-net.md sections 1 to 4). */
async function natHost() {
  const root = newHost();
  await ok(root, ['dladm', 'create-etherstub', 'natstub0']);
  await ok(root, ['dladm', 'create-vnic', '-l', 'natstub0', 'natgw0']);
  await ok(root, ['ipadm', 'create-addr', '-T', 'static', '-a', '10.10.0.1/24', 'natgw0/v4']);
  return root;
}

describe('ipadm', () => {
  it('lists addresses parsably with :: escaped only when several fields are printed', async () => {
    const root = await natHost();
    expect(await ok(root, ['ipadm', 'show-addr', '-p', '-o', 'addrobj,type,state,addr'])).toBe(
      'lo0/v4:static:ok:127.0.0.1/8\ne1000g0/v4:static:ok:192.168.1.10/24\nlo0/v6:static:ok:\\:\\:1/128\nnatgw0/v4:static:ok:10.10.0.1/24\n',
    );
    expect(await ok(root, ['ipadm', 'show-addr', '-p', '-o', 'addr', 'lo0/v6'])).toBe('::1/128\n');
  });

  it('prints the human table for one address object', async () => {
    const root = await natHost();
    expect(await ok(root, ['ipadm', 'show-addr', 'natgw0/v4'])).toBe(
      'ADDROBJ           TYPE     STATE        ADDR\nnatgw0/v4         static   ok           10.10.0.1/24\n',
    );
  });

  it('writes die() messages to stderr without a newline and the newline to stdout, exit 1', async () => {
    const root = await natHost();
    expect(await run(root, ['ipadm', 'show-addr', 'nope0/v4'])).toEqual({
      stdout: '\n',
      stderr: 'ipadm: Address object not found',
      exitCode: 1,
    });
    expect(await run(root, ['ipadm', 'show-addr', 'nope0'])).toEqual({
      stdout: '\n',
      stderr: 'ipadm: Invalid address object name provided',
      exitCode: 1,
    });
    expect(
      await run(root, ['ipadm', 'create-addr', '-T', 'static', '-a', '10.10.0.1/24', 'natgw0/v4']),
    ).toEqual({
      stdout: '\n',
      stderr: 'ipadm: Could not create address: Address object already exists',
      exitCode: 1,
    });
    expect(await run(root, ['ipadm', 'delete-addr', 'natgw0/v9'])).toEqual({
      stdout: '\n',
      stderr: 'ipadm: could not delete address: Object not found',
      exitCode: 1,
    });
    expect(await run(root, ['ipadm', 'create-if', 'natgw0'])).toEqual({
      stdout: '\n',
      stderr: 'ipadm: Could not create natgw0 : Interface already exists',
      exitCode: 1,
    });
    expect(
      (await run(root, ['ipadm', 'create-addr', '-T', 'static', '-a', '10.9.0.1/24', 'nolink0/v4']))
        .stderr,
    ).toBe('ipadm: Could not create address: Could not open DLPI link');
    expect((await run(root, ['ipadm', 'show-addr', '-p'])).stderr).toBe('ipadm: -p requires -o');
  });

  it('refuses a persistent address on a temporary VNIC', async () => {
    const root = newHost();
    await ok(root, ['dladm', 'create-vnic', '-t', '-l', 'e1000g0', 'tmp0']);
    expect(
      (await run(root, ['ipadm', 'create-addr', '-T', 'static', '-a', '10.1.0.1/24', 'tmp0/v4']))
        .stderr,
    ).toBe('ipadm: Could not create address: Persistent operation on temporary object');
    await ok(root, ['ipadm', 'create-addr', '-t', '-T', 'static', '-a', '10.1.0.1/24', 'tmp0/v4']);
  });

  it('sets and shows IPv4 forwarding', async () => {
    const root = newHost();
    expect(
      await ok(root, ['ipadm', 'show-prop', '-p', 'forwarding', '-co', 'current', 'ipv4']),
    ).toBe('off\n');
    expect(await run(root, ['ipadm', 'set-prop', '-p', 'forwarding=on', 'ipv4'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(
      await ok(root, ['ipadm', 'show-prop', '-p', 'forwarding', '-co', 'current', 'ipv4']),
    ).toBe('on\n');
    expect((await run(root, ['ipadm', 'set-prop', '-p', 'forwarding=maybe', 'ipv4'])).stderr).toBe(
      'ipadm: set-prop: forwarding: Invalid argument provided',
    );
    expect((await run(root, ['ipadm', 'set-prop', '-p', 'forwarding=on', 'ipx'])).stderr).toBe(
      "ipadm: invalid protocol 'ipx' specified",
    );
  });

  it('shows interfaces with positional flag strings', async () => {
    const root = await natHost();
    expect(
      await ok(root, ['ipadm', 'show-if', '-p', '-o', 'ifname,state,current,persistent']),
    ).toBe('lo0:ok:-m-v------46:-46\ne1000g0:ok:bm--------4-:-4-\nnatgw0:ok:bm--------4-:-4-\n');
  });
});

describe('routeadm', () => {
  it('reports the SMF view: forwarding set with ipadm alone stays disabled', async () => {
    const root = newHost();
    await ok(root, ['ipadm', 'set-prop', '-p', 'forwarding=on', 'ipv4']);
    expect(await ok(root, ['routeadm', '-p', 'ipv4-forwarding'])).toBe(
      'persistent=disabled default=disabled current=disabled\n',
    );
    await ok(root, ['routeadm', '-u', '-e', 'ipv4-forwarding']);
    expect(await ok(root, ['routeadm', '-p', 'ipv4-forwarding'])).toBe(
      'persistent=enabled default=disabled current=enabled\n',
    );
    const all = await ok(root, ['routeadm', '-p']);
    expect(all.split('\n')[2]).toBe(
      'ipv4-forwarding persistent=enabled default=disabled current=enabled',
    );
    expect(all).toContain('ipv4-routing-daemon persistent="" default="/usr/sbin/in.routed" \n');
  });

  it('refuses unknown options and -p with changes', async () => {
    const root = newHost();
    expect(
      (await run(root, ['routeadm', '-e', 'foo'])).stderr.startsWith(
        'routeadm: invalid option: foo\n',
      ),
    ).toBe(true);
    expect(await run(root, ['routeadm', '-p', '-u'])).toEqual({
      stdout: '',
      stderr: 'routeadm: the -p option cannot be used with any of -demrsu\n',
      exitCode: 1,
    });
    expect((await run(root, ['routeadm', '-p', 'nope'])).stderr).toBe(
      'routeadm: no such option/variable nope\n',
    );
  });
});

const NAT = `map e1000g0 10.10.0.0/24 -> 0/32 portmap tcp/udp auto
map e1000g0 10.10.0.0/24 -> 0/32
rdr e1000g0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp
`;

describe('ipnat', () => {
  it('loads rules from stdin and lists them re-rendered by the kernel', async () => {
    const root = newHost();
    expect(await run(root, ['ipnat', '-f', '-'], NAT)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await ok(root, ['ipnat', '-l'])).toBe(`List of active MAP/Redirect filters:
map e1000g0 10.10.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto
map e1000g0 10.10.0.0/24 -> 0.0.0.0/32
rdr e1000g0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp

List of active sessions:
`);
  });

  it('prints the headers of an empty list', async () => {
    const root = newHost();
    expect(await ok(root, ['ipnat', '-l'])).toBe(
      'List of active MAP/Redirect filters:\n\nList of active sessions:\n',
    );
  });

  it('reports a duplicate add as File exists and a missing removal as No such process, both exit 0', async () => {
    const root = newHost();
    await ok(root, ['ipnat', '-f', '-'], NAT);
    expect(
      await run(root, ['ipnat', '-f', '-'], 'rdr e1000g0 0/0 port 2222 -> 10.10.0.5 port 22\n'),
    ).toEqual({
      stdout: '',
      stderr: '1:ioctl(add/insert nat rule): File exists\n',
      exitCode: 0,
    });
    expect(
      await run(
        root,
        ['ipnat', '-r', '-f', '-'],
        'rdr e1000g0 0/0 port 2223 -> 10.10.0.5 port 22\n',
      ),
    ).toEqual({
      stdout: '',
      stderr: '1:ioctl(delete nat rule): No such process\n',
      exitCode: 0,
    });
  });

  it('removes one rule by its content, leaving the others', async () => {
    const root = newHost();
    await ok(root, ['ipnat', '-f', '-'], NAT);
    await ok(
      root,
      ['ipnat', '-r', '-f', '-'],
      'rdr e1000g0 0.0.0.0/0 port 2222 -> 10.10.0.5 port 22 tcp\n',
    );
    expect(await ok(root, ['ipnat', '-l'])).not.toContain('rdr');
    expect(await ok(root, ['ipnat', '-l'])).toContain('portmap tcp/udp auto');
  });

  it('stops at a syntax error with earlier lines loaded, exit 1', async () => {
    const root = newHost();
    const r = await run(
      root,
      ['ipnat', '-f', '-'],
      'map e1000g0 10.10.0.0/24 -> 0/32\nmap bogus\n',
    );
    expect(r).toEqual({
      stdout: '',
      stderr: 'syntax error error at "bogus", line 2\n',
      exitCode: 1,
    });
    expect(await ok(root, ['ipnat', '-l'])).toContain('map e1000g0 10.10.0.0/24 -> 0.0.0.0/32\n');
  });

  it('flushes with -C and counts the rules', async () => {
    const root = newHost();
    await ok(root, ['ipnat', '-f', '-'], NAT);
    expect(await run(root, ['ipnat', '-C'])).toEqual({
      stdout: '3 entries flushed from NAT list\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await ok(root, ['ipnat', '-CF', '-f', '-'], 'map e1000g0 10.10.0.0/24 -> 0/32\n')).toBe(
      '0 entries flushed from NAT table\n0 entries flushed from NAT list\n',
    );
  });

  it('reads rules from a file and reports an unreadable one', async () => {
    const root = newHost();
    const file = writeTemp(root, 'ipnat.conf', NAT);
    await ok(root, ['ipnat', '-f', file]);
    expect((await ok(root, ['ipnat', '-l'])).split('\n')).toHaveLength(7);
    expect(await run(root, ['ipnat', '-f', '/nonexistent/ipnat.conf'])).toEqual({
      stdout: '',
      stderr: 'fopen(/nonexistent/ipnat.conf) failed: No such file or directory\n',
      exitCode: 0,
    });
  });

  it('fails every call with ioctl(SIOCGNATS): I/O error while IP Filter is disabled', async () => {
    const root = newHost();
    await ok(root, ['ipf', '-D']);
    expect(await run(root, ['ipnat', '-l'])).toEqual({
      stdout: '',
      stderr: 'ioctl(SIOCGNATS): I/O error\n',
      exitCode: 1,
    });
    await ok(root, ['ipf', '-E']);
    await ok(root, ['ipnat', '-l']);
  });
});

const EGRESS = `block in quick on natgw0 proto tcp from 10.10.0.5 to any flags S/SA
pass in quick on e1000g0 proto udp from any to 10.10.0.5/32 port = 53 keep state
block in quick on natgw0 proto udp from 10.10.0.5/32 to any
`;

describe('ipf and ipfstat', () => {
  it('normalizes rules and prints the out list first, empty lists on stderr', async () => {
    const root = newHost();
    await ok(root, ['ipf', '-f', '-'], EGRESS);
    expect(await run(root, ['ipfstat', '-R', '-io'])).toEqual({
      stdout:
        'block in quick on natgw0 proto tcp from 10.10.0.5/32 to any flags S/SA\npass in quick on e1000g0 proto udp from any to 10.10.0.5/32 port = 53 keep state\nblock in quick on natgw0 proto udp from 10.10.0.5/32 to any\n',
      stderr: 'empty list for ipfilter(out)\n',
      exitCode: 0,
    });
    expect(await ok(root, ['ipfstat', '-io'])).toContain('port = domain keep state');
  });

  it('replaces with -Fa -f, says File exists for duplicates, and removes silently', async () => {
    const root = newHost();
    await ok(root, ['ipf', '-f', '-'], EGRESS);
    expect(
      await run(
        root,
        ['ipf', '-f', '-'],
        'block in quick on natgw0 proto udp from 10.10.0.5/32 to any\n',
      ),
    ).toEqual({
      stdout: '',
      stderr: '1:ioctl(add/insert rule): File exists\n',
      exitCode: 0,
    });
    expect(
      await run(
        root,
        ['ipf', '-r', '-f', '-'],
        'block in quick on natgw0 proto icmp from 10.10.0.9/32 to any\n',
      ),
    ).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    await ok(
      root,
      ['ipf', '-Fa', '-f', '-'],
      'pass out quick proto tcp from any to any keep state\n',
    );
    expect(await run(root, ['ipfstat', '-R', '-io'])).toEqual({
      stdout: 'pass out quick proto tcp from any to any keep state\n',
      stderr: 'empty list for ipfilter(in)\n',
      exitCode: 0,
    });
  });

  it('stops at a syntax error, exit 1', async () => {
    const root = newHost();
    expect(await run(root, ['ipf', '-f', '-'], 'pass in all\nfrobnicate in all\n')).toEqual({
      stdout: '',
      stderr: 'syntax error error at "frobnicate", line 2\n',
      exitCode: 1,
    });
  });

  it('fails flushes with ioctl(SIOCIPFFL): I/O error and adds with I/O error while disabled', async () => {
    const root = newHost();
    await ok(root, ['ipf', '-D']);
    expect(await run(root, ['ipf', '-Fa'])).toEqual({
      stdout: '',
      stderr: 'ioctl(SIOCIPFFL): I/O error\n',
      exitCode: 1,
    });
    expect(await run(root, ['ipf', '-f', '-'], 'pass in all\n')).toEqual({
      stdout: '',
      stderr: '1:ioctl(add/insert rule): I/O error\n',
      exitCode: 0,
    });
  });

  it('addresses a running zone with -G (zone last for ipf, -G ZONE for ipfstat and ipnat)', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    await makeZone(root, 'vm2', true);
    await ok(
      root,
      ['ipf', '-G', '-Fa', '-f', '-', 'vm1'],
      'block out quick proto tcp from any to any flags S/SA\n',
    );
    expect(await ok(root, ['ipfstat', '-R', '-io', '-G', 'vm1'])).toBe(
      'block out quick proto tcp from any to any flags S/SA\n',
    );
    expect(await run(root, ['ipfstat', '-R', '-io', '-G', 'vm2'])).toEqual({
      stdout: '',
      stderr: 'empty list for ipfilter(out)\nempty list for ipfilter(in)\n',
      exitCode: 0,
    });
    expect(await run(root, ['ipfstat', '-R', '-io'])).toEqual({
      stdout: '',
      stderr: 'empty list for ipfilter(out)\nempty list for ipfilter(in)\n',
      exitCode: 0,
    });
  });

  it('says Could not find running zone for a zone that is not running', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    for (const argv of [
      ['ipfstat', '-R', '-io', '-G', 'vm1'],
      ['ipf', '-G', '-Fa', 'vm1'],
      ['ipnat', '-l', '-G', 'vm1'],
      ['ipfstat', '-io', '-G', 'nozone'],
    ]) {
      const r = await run(root, argv);
      expect(r.stderr).toBe(
        `Could not find running zone: ${argv.at(-1) === 'nozone' ? 'nozone' : 'vm1'}\n`,
      );
      expect(r.exitCode).toBe(1);
    }
  });
});
