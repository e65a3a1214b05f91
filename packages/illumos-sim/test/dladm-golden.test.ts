import { describe, expect, it } from 'vitest';
import { makeZone, newHost, ok, run } from './helpers.js';

/** dladm libofmt output and errors (illumos-cli.md section 4). */
async function hostWithLinks() {
  const root = newHost();
  await ok(root, ['dladm', 'create-etherstub', 'stub0']);
  await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', '-m', '2:8:20:d2:1f:63', 'vm1net0']);
  await ok(root, [
    'dladm',
    'create-vnic',
    '-l',
    'stub0',
    '-m',
    '02:08:20:5a:0e:01',
    '-v',
    '12',
    'vm2net0',
  ]);
  return root;
}

describe('dladm show-* parsable output', () => {
  it('joins fields with : and leaves over empty for phys and etherstub', async () => {
    const root = await hostWithLinks();
    expect(await ok(root, ['dladm', 'show-link', '-p', '-o', 'link,class,mtu,state,over'])).toBe(
      'e1000g0:phys:1500:up:\nstub0:etherstub:9000:unknown:\nvm1net0:vnic:1500:up:e1000g0\nvm2net0:vnic:9000:up:stub0\n',
    );
  });

  it('escapes : in MACs when several fields are printed, prints them raw for one field, unpadded', async () => {
    const root = await hostWithLinks();
    expect(
      await ok(root, [
        'dladm',
        'show-vnic',
        '-p',
        '-o',
        'link,over,speed,macaddress,macaddrtype,vid',
      ]),
    ).toBe(
      'vm1net0:e1000g0:1000:2\\:8\\:20\\:d2\\:1f\\:63:fixed:0\nvm2net0:stub0:0:2\\:8\\:20\\:5a\\:e\\:1:fixed:12\n',
    );
    expect(await ok(root, ['dladm', 'show-vnic', '-p', '-o', 'macaddress', 'vm2net0'])).toBe(
      '2:8:20:5a:e:1\n',
    );
  });

  it('gives random VNIC MACs the 2:8:20 prefix, unpadded', async () => {
    const root = newHost();
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'rnd0']);
    const [mac, type] = (
      await ok(root, ['dladm', 'show-vnic', '-p', '-o', 'macaddress,macaddrtype', 'rnd0'])
    )
      .trim()
      .split(/(?<!\\):/);
    expect(mac).toMatch(/^2\\:8\\:20(\\:[0-9a-f]{1,2}){3}$/);
    expect(type).toBe('random');
  });

  it('prints physical links and their MACs', async () => {
    const root = newHost();
    expect(
      await ok(root, ['dladm', 'show-phys', '-p', '-o', 'link,media,state,speed,duplex,device']),
    ).toBe('e1000g0:Ethernet:up:1000:full:e1000g0\n');
    expect(
      await ok(root, ['dladm', 'show-phys', '-m', '-p', '-o', 'link,slot,address,inuse,client']),
    ).toMatch(/^e1000g0:primary:0\\:c\\:29(\\:[0-9a-f]{1,2}){3}:yes:e1000g0\n$/);
  });

  it('lists etherstubs', async () => {
    const root = await hostWithLinks();
    expect(await ok(root, ['dladm', 'show-etherstub', '-p', '-o', 'link'])).toBe('stub0\n');
  });

  it('prints a padded table with -- for empty values in human mode', async () => {
    const root = newHost();
    expect(await ok(root, ['dladm', 'show-link'])).toBe(
      'LINK        CLASS     MTU    STATE    BRIDGE     OVER\ne1000g0     phys      1500   up       --         --\n',
    );
  });

  it.each([
    [['dladm', 'show-link', '-p'], 'dladm: -p requires -o\n'],
    [['dladm', 'show-vnic', '-p'], 'dladm: output fields must be specified in parsable mode\n'],
    [['dladm', 'show-link', '-p', '-o', 'all'], 'dladm: "-o all" is invalid with -p\n'],
    [
      ['dladm', 'show-vnic', '-p', '-o', 'all'],
      "dladm: output field `all' invalid in parsable mode\n",
    ],
    [['dladm', 'show-link', '-p', '-o', 'link,foo'], "dladm: unknown output field: `foo'\n"],
    [['dladm', 'show-vnic', 'nope'], "dladm: invalid vnic name 'nope': object not found\n"],
    [['dladm', 'show-link', 'nope'], 'dladm: link nope is not valid: object not found\n'],
  ])('%j fails with %j', async (argv, stderr) => {
    const root = newHost();
    expect(await run(root, argv)).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('only warns about an unknown field in human mode', async () => {
    const root = newHost();
    const r = await run(root, ['dladm', 'show-link', '-o', 'link,foo']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("dladm: warning: ignoring unknown output field: `foo'\n");
  });
});

describe('dladm create and delete', () => {
  it.each([
    [['dladm', 'create-vnic', '-l', 'e1000g0', 'badname'], "dladm: invalid link name 'badname'\n"],
    [['dladm', 'create-vnic', '-l', 'nope0', 'x0'], "dladm: invalid link name 'nope0'\n"],
    [
      ['dladm', 'create-vnic', '-l', 'e1000g0', '-v', '5000', 'x0'],
      "dladm: invalid VLAN identifier '5000'\n",
    ],
    [
      ['dladm', 'create-vnic', '-l', 'e1000g0', '-f', 'x0'],
      'dladm: -f option can only be used with -v\n',
    ],
    [['dladm', 'create-vnic', '-l', 'e1000g0', '-m', 'zz:1', 'x0'], 'dladm: invalid MAC address\n'],
    // dladm.c checks the length (MAXLINKNAMELEN 32) before dladm_valid_linkname()
    [
      ['dladm', 'create-vnic', '-l', 'e1000g0', `a${'b'.repeat(30)}0`],
      `dladm: link name too long 'a${'b'.repeat(30)}0'\n`,
    ],
    [['dladm', 'create-vnic', '-l', 'e1000g0', 'vnic01'], "dladm: invalid link name 'vnic01'\n"],
    [['dladm', 'delete-vnic', 'nope0'], "dladm: invalid link name 'nope0'\n"],
    // a physical link is neither: dladm_vnic_delete() refuses its class (DLADM_STATUS_BADARG)
    [['dladm', 'delete-vnic', 'e1000g0'], 'dladm: vnic deletion failed: invalid argument\n'],
    [['dladm', 'delete-etherstub', 'e1000g0'], 'dladm: vnic deletion failed: invalid argument\n'],
  ])('%j fails with %j', async (argv, stderr) => {
    const root = newHost();
    expect(await run(root, argv)).toEqual({ stdout: '', stderr, exitCode: 1 });
  });

  it('refuses a duplicate VNIC or etherstub name', async () => {
    const root = await hostWithLinks();
    expect((await run(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'vm1net0'])).stderr).toBe(
      'dladm: vnic creation over e1000g0 failed: object already exists\n',
    );
    expect((await run(root, ['dladm', 'create-etherstub', 'stub0'])).stderr).toBe(
      'dladm: etherstub creation failed: object already exists\n',
    );
  });

  it('sets mtu with -p and set-linkprop, and deletes VNICs and etherstubs', async () => {
    const root = newHost();
    await ok(root, ['dladm', 'create-etherstub', '-t', 'stub1']);
    await ok(root, ['dladm', 'create-vnic', '-t', '-l', 'stub1', '-p', 'mtu=1400', 'a0']);
    expect(await ok(root, ['dladm', 'show-link', '-p', '-o', 'mtu', 'a0'])).toBe('1400\n');
    await ok(root, ['dladm', 'set-linkprop', '-t', '-p', 'mtu=1500', 'a0']);
    expect(await ok(root, ['dladm', 'show-link', '-p', '-o', 'mtu', 'a0'])).toBe('1500\n');
    expect((await run(root, ['dladm', 'delete-etherstub', 'stub1'])).stderr).toBe(
      'dladm: vnic deletion failed: link busy\n',
    );
    await ok(root, ['dladm', 'delete-vnic', 'a0']);
    await ok(root, ['dladm', 'delete-etherstub', 'stub1']);
    expect(await ok(root, ['dladm', 'show-link', '-p', '-o', 'link'])).toBe('e1000g0\n');
  });

  it('refuses to delete a VNIC a running zone uses', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    expect((await run(root, ['dladm', 'delete-vnic', 'vm1net0'])).stderr).toBe(
      'dladm: vnic deletion failed: link busy\n',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    await ok(root, ['dladm', 'delete-vnic', 'vm1net0']);
  });
});
