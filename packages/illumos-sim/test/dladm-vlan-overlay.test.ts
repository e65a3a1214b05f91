import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState } from '../src/index.js';
import { newHost, ok, run } from './helpers.js';

/** VLANs, overlays, aggregations and every link class in show-link (dladm.c, libdladm). */
function hostWithAggr() {
  return newHost({
    links: ['e1000g0', 'e1000g1', 'e1000g2'],
    aggrs: [{ name: 'aggr0', ports: ['e1000g1', 'e1000g2'] }],
  });
}

function writeHostFile(root: string, path: string, text: string): void {
  mkdirSync(join(root, 'root', path, '..'), { recursive: true });
  writeFileSync(join(root, 'root', path), text);
}

const OVERLAY_JSON = '{"2:8:20:aa:bb:cc": {"ip": "192.168.1.11", "port": 4789}}';
const CREATE_OV = [
  'dladm',
  'create-overlay',
  '-e',
  'vxlan',
  '-s',
  'files',
  '-p',
  'files/config=/etc/vxlan/ov0.json,vxlan/listen_ip=192.168.1.10',
  '-v',
  '100',
  'ov0',
];

async function hostWithOverlay() {
  const root = newHost();
  writeHostFile(root, '/etc/vxlan/ov0.json', OVERLAY_JSON);
  await ok(root, CREATE_OV);
  return root;
}

describe('dladm VLANs', () => {
  it('creates a VLAN named after the link, or as asked, and lists it', async () => {
    const root = newHost();
    await ok(root, ['dladm', 'create-vlan', '-l', 'e1000g0', '-v', '12']);
    await ok(root, ['dladm', 'create-vlan', '-f', '-l', 'e1000g0', '-v', '13', 'vlan13']);
    expect(await ok(root, ['dladm', 'show-vlan'])).toBe(
      'LINK            VID      OVER         FLAGS\ne1000g12000     12       e1000g0      -----\nvlan13          13       e1000g0      f----\n',
    );
    expect(await ok(root, ['dladm', 'show-vlan', '-p', '-o', 'link,vid,over', 'vlan13'])).toBe(
      'vlan13:13:e1000g0\n',
    );
  });

  it.each([
    [
      ['create-vlan', '-l', 'e1000g0', '-v', '4095', 'v0'],
      "dladm: invalid VLAN identifier '4095'\n",
    ],
    [['create-vlan', '-l', 'e1000g0', '-v', '0', 'v0'], "dladm: invalid VLAN identifier '0'\n"],
    [['create-vlan', '-l', 'e1000g0', '-v', '1x', 'v0'], "dladm: invalid VLAN identifier '1x'\n"],
    [
      ['create-vlan', '-l', 'e1000g0', '-v', '5', '-v', '6'],
      'dladm: the option -v cannot be specified more than once\n',
    ],
    [['create-vlan', '-l', 'nope0', '-v', '5', 'v0'], "dladm: invalid link name 'nope0'\n"],
    [
      ['create-vlan', '-l', 'e1000g0', '-v', '5', 'vlan'],
      'dladm: create operation failed: invalid argument\n',
    ],
    [
      ['create-vlan', '-l', 'e1000g0', '-v', '5', 'e1000g0'],
      'dladm: create operation failed: object already exists\n',
    ],
    [
      ['create-vlan', '-l', 'e1000g0', '-v'],
      "dladm: option '-v' requires a value\nusage:     create-vlan      [-ft] -l <link> -v <vid> [link]\n",
    ],
    [['delete-vlan', 'nope0'], 'dladm: delete operation failed: object not found\n'],
    [['delete-vlan', 'e1000g0'], 'dladm: delete operation failed: invalid argument\n'],
    [['show-vlan', 'e1000g0'], 'dladm: datalink e1000g0 is not a vlan: found class phys\n'],
    [['show-vlan', '-p'], 'dladm: output fields must be specified in parsable mode\n'],
  ])('dladm %j fails with %j', async (args, stderr) => {
    expect(await run(newHost(), ['dladm', ...args])).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('refuses a second VLAN with the same id on a link, a VLAN on an etherstub or a VNIC', async () => {
    const root = newHost();
    await ok(root, ['dladm', 'create-vlan', '-l', 'e1000g0', '-v', '12', 'v12']);
    await ok(root, ['dladm', 'create-etherstub', 'stub0']);
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'vn0']);
    const fails = async (args: string[]) => (await run(root, ['dladm', ...args])).stderr;
    expect(await fails(['create-vlan', '-l', 'e1000g0', '-v', '12', 'v99'])).toBe(
      'dladm: create operation failed: MAC address is already in use\n',
    );
    expect(await fails(['create-vlan', '-l', 'stub0', '-v', '12', 'v98'])).toBe(
      'dladm: create operation failed: operation failed\n',
    );
    expect(await fails(['create-vlan', '-l', 'vn0', '-v', '7', 'v97'])).toBe(
      'dladm: create operation failed: invalid argument\n',
    );
    // no VNIC over a VLAN either: a tagged VNIC is created over the link with -v
    expect(await fails(['create-vnic', '-l', 'v12', 'vn1'])).toBe(
      'dladm: vnic creation over v12 failed: invalid argument\n',
    );
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', '-v', '12', 'vn2']);
    expect(await ok(root, ['dladm', 'show-vnic', '-p', '-o', 'link,over,vid', 'vn2'])).toBe(
      'vn2:e1000g0:12\n',
    );
  });

  it('refuses to delete a VLAN with an IP interface on it', async () => {
    const root = newHost();
    await ok(root, ['dladm', 'create-vlan', '-l', 'e1000g0', '-v', '12', 'v12']);
    await ok(root, ['ipadm', 'create-addr', '-T', 'static', '-a', '10.12.0.1/24', 'v12/v4']);
    expect(await run(root, ['dladm', 'delete-vlan', 'v12'])).toEqual({
      stdout: '',
      stderr: 'dladm: delete operation failed: link busy\n',
      exitCode: 1,
    });
    await ok(root, ['ipadm', 'delete-if', 'v12']);
    await ok(root, ['dladm', 'delete-vlan', 'v12']);
    expect(await ok(root, ['dladm', 'show-vlan'])).toBe('');
  });
});

describe('dladm aggregations (created by apiary-sim init)', () => {
  it('lists an aggregation, its ports with -x, and holds the ports', async () => {
    const root = hostWithAggr();
    expect(await ok(root, ['dladm', 'show-aggr'])).toBe(
      'LINK            POLICY   ADDRPOLICY           LACPACTIVITY  LACPTIMER   FLAGS\naggr0           L4       auto                 off           short       -----\n',
    );
    expect(
      await ok(root, ['dladm', 'show-aggr', '-x', '-p', '-o', 'link,port,speed,state,portstate']),
    ).toBe(
      'aggr0::2000Mb:up:\naggr0:e1000g1:1000Mb:up:attached\naggr0:e1000g2:1000Mb:up:attached\n',
    );
    expect((await run(root, ['dladm', 'create-vnic', '-l', 'e1000g1', 'vn0'])).stderr).toBe(
      "dladm: VLAN over 'e1000g1' may not use default_tag ID (see dladm(8))\n",
    );
    await ok(root, ['dladm', 'create-vnic', '-l', 'aggr0', 'vn0']);
    expect(await ok(root, ['dladm', 'show-vnic', '-p', '-o', 'link,over,speed', 'vn0'])).toBe(
      'vn0:aggr0:2000\n',
    );
  });

  it.each([
    [['show-aggr', 'nope0'], "dladm: non-existent aggregation 'nope0'\n"],
    [['show-aggr', '-p'], 'dladm: -p requires -o\n'],
    [['show-aggr', '-x', '-L'], 'dladm: the option -L cannot be used with -x\n'],
  ])('dladm %j fails with %j', async (args, stderr) => {
    expect(await run(hostWithAggr(), ['dladm', ...args])).toEqual({
      stdout: '',
      stderr,
      exitCode: 1,
    });
  });
});

describe('dladm show-link over every class', () => {
  it('prints class, mtu, state and over for phys, aggr, etherstub, vnic, vlan and overlay', async () => {
    const root = hostWithAggr();
    writeHostFile(root, '/etc/vxlan/ov0.json', OVERLAY_JSON);
    await ok(root, ['dladm', 'create-etherstub', 'stub0']);
    await ok(root, ['dladm', 'create-vnic', '-l', 'stub0', 'vn0']);
    await ok(root, ['dladm', 'create-vlan', '-l', 'aggr0', '-v', '20', 'v20']);
    await ok(
      root,
      CREATE_OV.slice(0, 7).concat(
        'files/config=/etc/vxlan/ov0.json,vxlan/listen_ip=0.0.0.0',
        '-v',
        '100',
        'ov0',
      ),
    );
    await ok(root, ['dladm', 'create-vnic', '-l', 'ov0', 'vn1']);
    expect(
      await ok(root, ['dladm', 'show-link', '-p', '-o', 'link,class,mtu,state,bridge,over']),
    ).toBe(
      [
        'e1000g0:phys:1500:up::',
        'e1000g1:phys:1500:up::',
        'e1000g2:phys:1500:up::',
        'aggr0:aggr:1500:up::e1000g1,e1000g2',
        'stub0:etherstub:9000:unknown::',
        'vn0:vnic:9000:up::stub0',
        'v20:vlan:1500:up::aggr0',
        'ov0:overlay:1400:up::',
        'vn1:vnic:1400:up::ov0',
        '',
      ].join('\n'),
    );
    expect(await ok(root, ['dladm', 'show-link', 'aggr0'])).toBe(
      'LINK        CLASS     MTU    STATE    BRIDGE     OVER\naggr0       aggr      1500   up       --         e1000g1,e1000g2\n',
    );
  });
});

describe('dladm overlays', () => {
  it('creates a VXLAN overlay with the files plugin and shows its properties', async () => {
    const root = await hostWithOverlay();
    expect(
      await ok(root, [
        'dladm',
        'show-overlay',
        '-p',
        '-o',
        'link,property,perm,req,value,default,possible',
      ]),
    ).toBe(
      [
        'ov0:mtu:rw:-:1400:1400:576-8900',
        'ov0:vnetid:rw:-:100:--:--',
        'ov0:encap:r-:-:vxlan:--:vxlan',
        'ov0:varpd/id:r-:-:1:--:--',
        'ov0:vxlan/listen_ip:rw:y:192.168.1.10:--:--',
        'ov0:vxlan/listen_port:rw:y:4789:4789:1-65535',
        'ov0:search:r-:-:files:--:direct,files,svp',
        'ov0:files/config:rw:y:/etc/vxlan/ov0.json:--:--',
        '',
      ].join('\n'),
    );
    expect(await ok(root, ['dladm', 'show-overlay', '-f'])).toBe(
      'LINK                STATUS  DETAILS\nov0                 ONLINE  -\n',
    );
    // varpd's target cache fills only from guest traffic lookups: nothing to list
    expect(await ok(root, ['dladm', 'show-overlay', '-t'])).toBe('');
  });

  it('carries VNICs that take the overlay MTU and refuses to delete it while they exist', async () => {
    const root = await hostWithOverlay();
    await ok(root, ['dladm', 'create-vnic', '-l', 'ov0', 'vm1net0']);
    expect(await ok(root, ['dladm', 'show-vnic', '-p', '-o', 'link,over,speed', 'vm1net0'])).toBe(
      'vm1net0:ov0:0\n',
    );
    expect(await run(root, ['dladm', 'delete-overlay', 'ov0'])).toEqual({
      stdout: '',
      stderr: 'dladm: failed to delete ov0: link busy\n',
      exitCode: 1,
    });
    await ok(root, ['dladm', 'delete-vnic', 'vm1net0']);
    await ok(root, ['dladm', 'delete-overlay', 'ov0']);
    expect(await ok(root, ['dladm', 'show-overlay'])).toBe('');
  });

  it("refuses a VNIC when the underlay address is not the host's", async () => {
    const root = newHost();
    writeHostFile(root, '/etc/vxlan/ov0.json', OVERLAY_JSON);
    await ok(
      root,
      CREATE_OV.slice(0, 7).concat(
        'files/config=/etc/vxlan/ov0.json,vxlan/listen_ip=10.9.9.9',
        '-v',
        '100',
        'ov0',
      ),
    );
    expect((await run(root, ['dladm', 'create-vnic', '-l', 'ov0', 'vn0'])).stderr).toBe(
      'dladm: vnic creation over ov0 failed: operation failed\n',
    );
  });

  it.each([
    [['-e', 'vxlan', '-s', 'files', 'ov1'], 'dladm: missing required virtual network id\n'],
    [['-s', 'files', '-v', '1', 'ov1'], 'dladm: missing required encapsulation plugin\n'],
    [['-e', 'vxlan', '-v', '1', 'ov1'], 'dladm: missing required search plugin\n'],
    [['-e', 'vxlan', '-s', 'files', '-v', '1'], 'dladm: missing device name\n'],
    [
      ['-e', 'vxlan', '-s', 'files', '-v', 'x1', 'ov1'],
      "dladm: couldn't parse virtual networkd id: x1\n",
    ],
    [['-e', 'vxlan', '-s', 'files', '-v', '1', 'ov'], "dladm: invalid link name 'ov'\n"],
    [
      ['-e', 'vxlan', '-s', 'files', '-p', '=x', '-v', '1', 'ov1'],
      'dladm: invalid overlay property\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-v', '16777216', 'ov1'],
      'dladm: overlay creation failed: invalid argument\n',
    ],
    [
      ['-e', 'geneve', '-s', 'files', '-v', '1', 'ov1'],
      'dladm: overlay creation failed: object not found\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-v', '100', 'ov1'],
      'dladm: overlay creation failed: object already exists\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-v', '1', 'ov0'],
      'dladm: overlay creation failed: object already exists\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-p', 'vxlan/listen_ip=224.0.0.1', '-v', '1', 'ov1'],
      'dladm: warning: failed to set property vxlan/listen_ip\ndladm: overlay creation failed: invalid argument\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-p', 'foo=1', '-v', '1', 'ov1'],
      'dladm: warning: failed to set property foo\ndladm: overlay creation failed: object not found\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-p', 'vxlan/listen_ip=192.168.1.10', '-v', '1', 'ov1'],
      'dladm: warning: failed to activate varpd instance: Resource temporarily unavailable\ndladm: warning: unset required property: files/config\ndladm: overlay creation failed: try again later\n',
    ],
    [
      [
        '-e',
        'vxlan',
        '-s',
        'files',
        '-p',
        'files/config=/etc/vxlan/nope.json,vxlan/listen_ip=192.168.1.10',
        '-v',
        '1',
        'ov1',
      ],
      'dladm: warning: failed to activate varpd instance: No such file or directory\ndladm: overlay creation failed: object not found\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'files', '-p', 'files/config=/etc/vxlan/ov0.json', '-v', '1', 'ov1'],
      'dladm: warning: failed to activate device: Invalid argument\ndladm: warning: unset required property: vxlan/listen_ip\ndladm: overlay creation failed: invalid argument\n',
    ],
    [
      ['-e', 'vxlan', '-s', 'dns', '-p', 'vxlan/listen_ip=192.168.1.10', '-v', '1', 'ov1'],
      'dladm: warning: failed to create varpd instance: No such file or directory\ndladm: overlay creation failed: object not found\n',
    ],
  ])('create-overlay %j fails with %j', async (args, stderr) => {
    const root = await hostWithOverlay();
    expect(await run(root, ['dladm', 'create-overlay', ...args])).toEqual({
      stdout: '',
      stderr,
      exitCode: 1,
    });
    expect(await ok(root, ['dladm', 'show-link', '-p', '-o', 'link'])).toBe('e1000g0\nov0\n');
  });

  it('refuses a files/config that is not a MAC-keyed JSON object', async () => {
    const root = newHost();
    writeHostFile(root, '/etc/vxlan/bad.json', '{"not-a-mac": {"ip": "10.0.0.1", "port": 4789}}');
    expect(
      (
        await run(
          root,
          CREATE_OV.slice(0, 7).concat(
            'files/config=/etc/vxlan/bad.json,vxlan/listen_ip=192.168.1.10',
            '-v',
            '1',
            'ov1',
          ),
        )
      ).stderr,
    ).toBe(
      'dladm: warning: failed to activate varpd instance: Invalid argument\ndladm: overlay creation failed: invalid argument\n',
    );
  });

  it.each([
    [['delete-overlay', 'nope0'], 'dladm: failed to delete nope0: object not found\n', 1],
    [['delete-overlay', 'e1000g0'], 'dladm: failed to delete e1000g0: invalid argument\n', 1],
    [['show-overlay', 'e1000g0'], 'dladm: warning: e1000g0 is not an overlay\n', 1],
    [['show-overlay', 'nope0'], 'dladm: warning: failed to find nope0: object not found\n', 1],
    [['show-overlay', '-p'], 'dladm: output fields must be specified in parsable mode\n', 1],
  ])('dladm %j fails with %j', async (args, stderr, exitCode) => {
    expect(await run(newHost(), ['dladm', ...args])).toEqual({ stdout: '', stderr, exitCode });
  });
});

describe('varpd and the files mapping', () => {
  const macs = (root: string) =>
    readState(root)
      .links.find((l) => l.name === 'ov0')
      ?.overlay?.mapping?.map((e) => e.mac);

  it('reads the mapping when the overlay is created, and again only when varpd restarts', async () => {
    const root = await hostWithOverlay();
    expect(macs(root)).toEqual(['2:8:20:aa:bb:cc']);
    writeHostFile(
      root,
      '/etc/vxlan/ov0.json',
      '{"2:8:20:aa:bb:cc": {"ip": "192.168.1.11", "port": 4789}, "2:8:20:0:0:1": {"ip": "192.168.1.12", "port": 4789}}',
    );
    // varpd_files_start is the only reader: a refresh changes nothing, a restart re-reads.
    await ok(root, ['svcadm', 'refresh', 'network/varpd']);
    expect(macs(root)).toEqual(['2:8:20:aa:bb:cc']);
    await ok(root, ['svcadm', 'restart', 'svc:/network/varpd:default']);
    expect(macs(root)).toEqual(['2:8:20:aa:bb:cc', '2:8:20:0:0:1']);
    // A mapping that can no longer be read leaves the instance with nothing to answer.
    writeHostFile(root, '/etc/vxlan/ov0.json', 'not json');
    await ok(root, ['svcadm', 'restart', 'varpd']);
    expect(readState(root).links.find((l) => l.name === 'ov0')?.overlay?.mapping).toBeNull();
  });
});
