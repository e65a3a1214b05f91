import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bhyveConfig, makeZone, newHost, ok, run, writeTemp } from './helpers.js';

/**
 * zonecfg: the export and info formats (illumos-cli.md 2.4/2.5; OmniOS's zonecfg.c quotes
 * every resource property on export, `set physical="vm1net0"`), the three ways of passing
 * commands, and the refusals.
 */
const ISO = `add fs
set dir=/iso/debian.iso
set special=/iso/debian.iso
set type=lofs
add options ro
add options nodevices
end
`;

describe('zonecfg export', () => {
  it('prints create -b, global properties unquoted and resource properties quoted', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1', ISO));
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'export'])).toBe(`create -b
set zonepath=/zones/vm1
set brand=bhyve
set autoboot=false
set ip-type=exclusive
add fs
set dir="/iso/debian.iso"
set special="/iso/debian.iso"
set type="lofs"
add options ro
add options nodevices
end
add net
set allowed-address="10.0.0.112/24"
set physical="vm1net0"
end
add device
set match="/dev/zvol/rdsk/rpool/zones/vm1/disk0"
end
add attr
set name="bootdisk"
set type="string"
set value="rpool/zones/vm1/disk0"
end
`);
  });

  it('round-trips: feeding export back in gives the same configuration', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1', ISO));
    const first = await ok(root, ['zonecfg', '-z', 'vm1', 'export']);
    await ok(root, ['zonecfg', '-z', 'vm2', '-f', '-'], first.replace('/zones/vm1', '/zones/vm2'));
    expect(await ok(root, ['zonecfg', '-z', 'vm2', 'export'])).toBe(
      first.replace('/zones/vm1', '/zones/vm2'),
    );
  });

  it('keeps values with spaces and quotes fs options containing =', async () => {
    const root = newHost();
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      bhyveConfig(
        'vm1',
        'add attr\nset name=note\nset type=string\nset value="two words"\nend\nadd fs\nset dir=/a\nset special=/b\nset type=lofs\nadd options "retry=5"\nend\n',
      ),
    );
    const out = await ok(root, ['zonecfg', '-z', 'vm1', 'export']);
    expect(out).toContain('set value="two words"\n');
    expect(out).toContain('add options "retry=5"\n');
  });

  it('writes to a file with export -f', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    const file = join(root, 'out.cfg');
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'export', '-f', file])).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(
      'create -b\nset zonepath=/zones/vm1\nset brand=bhyve\nset autoboot=false\nset ip-type=exclusive\n',
    );
  });
});

describe('zonecfg info', () => {
  it('prints the layout of OmniOS info output', async () => {
    const root = newHost();
    await ok(
      root,
      ['zonecfg', '-z', 'bloody', '-f', '-'],
      `create -b
set zonepath=/data/zone/bloody
set brand=bhyve
set ip-type=exclusive
add net
set physical=omniosr0
end
add device
set match=/dev/zvol/rdsk/data/omnios/hdd-bloody*
end
add attr
set name=ram
set type=string
set value=8G
end
`,
    );
    expect(await ok(root, ['zonecfg', '-z', 'bloody', 'info'])).toBe(`zonename: bloody
zonepath: /data/zone/bloody
brand: bhyve
autoboot: false
bootargs: 
pool: 
limitpriv: 
scheduling-class: 
ip-type: exclusive
hostid: 
fs-allowed: 
net:
\taddress not specified
\tallowed-address not specified
\tdefrouter not specified
\tglobal-nic not specified
\tmac-addr not specified
\tphysical: omniosr0
\tvlan-id not specified
device:
\tmatch: /dev/zvol/rdsk/data/omnios/hdd-bloody*
attr:
\tname: ram
\ttype: string
\tvalue: 8G
`);
  });

  it('prints fs options as a list, filters resources, and says when nothing matches', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1', ISO));
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'fs'])).toBe(
      'fs:\n\tdir: /iso/debian.iso\n\tspecial: /iso/debian.iso\n\traw not specified\n\ttype: lofs\n\toptions: [ro,nodevices]\n',
    );
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'net', 'physical=nope0'])).toBe(
      'No such net resource.\n',
    );
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'zonepath'])).toBe(
      'zonepath: /zones/vm1\n',
    );
  });
});

describe('zonecfg invocation', () => {
  it('joins argv with spaces and splits commands at ;', async () => {
    const root = newHost();
    await ok(root, [
      'zonecfg',
      '-z',
      'vm1',
      'create',
      '-b',
      ';',
      'set',
      'zonepath=/zones/vm1',
      ';',
      'set',
      'brand=bhyve',
    ]);
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'brand'])).toBe('brand: bhyve\n');
  });

  it('reads commands from a file given by its real path', async () => {
    const root = newHost();
    const file = writeTemp(root, 'vm1.cfg', bhyveConfig('vm1'));
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', file]);
    expect(await ok(root, ['zoneadm', 'list', '-cp'])).toContain(
      '-:vm1:configured:/zones/vm1::bhyve:excl:',
    );
  });

  it('prefixes errors with On line N of FILE: once per line, and still commits what verifies', async () => {
    const root = newHost();
    const file = writeTemp(
      root,
      'bad.cfg',
      'create -b\nset zonepath=/zones/vm1\nset bogus=1\nset autoboot=maybe\n',
    );
    const r = await run(root, ['zonecfg', '-z', 'vm1', '-f', file]);
    expect(r.stderr).toBe(
      `On line 3 of ${file}:\nsyntax error at 'bogus'\nOn line 4 of ${file}:\nmaybe is not a valid value for autoboot.\n`,
    );
    expect(r.exitCode).toBe(1);
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'zonepath'])).toBe(
      'zonepath: /zones/vm1\n',
    );
  });

  it('uses On line N: for -f -', async () => {
    const root = newHost();
    const r = await run(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      'create -b\nset zonepath=relative\nset zonepath=/zones/vm1\n',
    );
    expect(r.stderr).toBe('On line 2:\nrelative is not an absolute path.\n');
    expect(r.exitCode).toBe(1);
  });

  it('says NAME: No such zone configured for a zone that does not exist', async () => {
    const root = newHost();
    expect(await run(root, ['zonecfg', '-z', 'nope', 'export'])).toEqual({
      stdout: '',
      stderr: 'nope: No such zone configured\n',
      exitCode: 1,
    });
  });

  it('refuses an invalid zone name with usage, exit 2', async () => {
    const root = newHost();
    const r = await run(root, ['zonecfg', '-z', 'bad;name', 'export']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.startsWith('bad;name: Bogus zone name\n')).toBe(true);
  });

  it('refuses an unfinished resource at the end of input and saves nothing', async () => {
    const root = newHost();
    const r = await run(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      'create -b\nset zonepath=/zones/vm1\nadd net\nset physical=vm1net0\n',
    );
    // zerr() still prefixes the line count at end of input
    expect(r.stderr).toBe('On line 4:\nResource incomplete.\n');
    expect(r.exitCode).toBe(1);
    expect((await run(root, ['zonecfg', '-z', 'vm1', 'export'])).stderr).toBe(
      'vm1: No such zone configured\n',
    );
  });

  it('does not save a configuration without a zonepath', async () => {
    const root = newHost();
    const r = await run(root, ['zonecfg', '-z', 'vm1', 'create -b; set brand=bhyve']);
    expect(r.stderr).toBe('zonepath not specified\nConfiguration not saved.\n');
    expect(r.exitCode).toBe(1);
  });

  it('names missing resource properties at end, then what validate_attr_type_val makes of them', async () => {
    const root = newHost();
    const r = await run(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      'create -b\nset zonepath=/zones/vm1\nadd attr\nset name=x\nend\ncancel\n',
    );
    expect(r.stderr).toBe(
      "On line 5:\ntype not specified\nvalue not specified\ninvalid attr type ''\n",
    );
    expect(r.exitCode).toBe(1);
  });

  it('refuses a duplicate resource', async () => {
    const root = newHost();
    const r = await run(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      `${bhyveConfig('vm1')}add net\nset physical=vm1net0\nend\n`,
    );
    expect(r.stderr).toContain("A net resource with the physical 'vm1net0' already exists.");
    expect(r.exitCode).toBe(1);
  });
});

describe('zonecfg create and delete refusals', () => {
  it('refuses create on an existing zone without -F when input is not a terminal', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    expect(
      await run(root, ['zonecfg', '-z', 'vm1', 'create -b; set zonepath=/zones/other']),
    ).toEqual({
      stdout: '',
      stderr:
        'Zone exists, input not from terminal and -F not specified:\ncreate command ignored, exiting.\n',
      exitCode: 1,
    });
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'zonepath'])).toBe(
      'zonepath: /zones/vm1\n',
    );
  });

  it('overwrites with create -F and says so on stdout', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    const r = await run(root, ['zonecfg', '-z', 'vm1', 'create -F -b; set zonepath=/zones/other']);
    expect(r).toEqual({
      stdout: 'Zone vm1 already exists; overwriting.\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'zonepath'])).toBe(
      'zonepath: /zones/other\n',
    );
  });

  it('refuses create on an installed zone', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const r = await run(root, ['zonecfg', '-z', 'vm1', 'create -F -b']);
    expect(r.stderr).toBe('Zone vm1 already installed; create not allowed.\n');
    expect(r.exitCode).toBe(1);
  });

  it('refuses delete without -F when input is not a terminal', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    expect(await run(root, ['zonecfg', '-z', 'vm1', 'delete'])).toEqual({
      stdout: '',
      stderr: 'Input not from terminal and -F not specified:\ndelete command ignored, exiting.\n',
      exitCode: 1,
    });
  });

  it('deletes with -F', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    expect(await run(root, ['zonecfg', '-z', 'vm1', 'delete', '-F'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await ok(root, ['zoneadm', 'list', '-cp'])).toBe('0:global:running:/::ipkg:shared:0\n');
  });

  it('refuses to change zonepath or brand once installed', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const r = await run(root, ['zonecfg', '-z', 'vm1', 'set zonepath=/zones/x; set brand=ipkg']);
    expect(r.stderr).toBe(
      'Zone vm1 already installed; set zonepath not allowed.\nZone vm1 already installed; set brand not allowed.\n',
    );
    expect(r.exitCode).toBe(1);
  });
});

describe('zonecfg editing', () => {
  it('selects, changes and removes resources; attr changes survive', async () => {
    const root = newHost();
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      bhyveConfig('vm1', 'add attr\nset name=vnc\nset type=string\nset value=on\nend\n'),
    );
    await ok(root, [
      'zonecfg',
      '-z',
      'vm1',
      'select attr name=vnc; set value=off; end; remove device',
    ]);
    const out = await ok(root, ['zonecfg', '-z', 'vm1', 'export']);
    expect(out).toContain('set name="vnc"\nset type="string"\nset value="off"\n');
    expect(out).not.toContain('add device');
    const r = await run(root, ['zonecfg', '-z', 'vm1', 'remove attr name=nope']);
    expect(r.stderr).toBe('remove attr: No such resource with that id\n');
  });

  it('adds net and device properties and rctl values', async () => {
    const root = newHost();
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      `create -b
set zonepath=/zones/vm1
set brand=bhyve
set ip-type=exclusive
add net
set physical=vm1net0
add property (name=promiscphys,value="on")
end
add rctl
set name=zone.cpu-shares
add value (priv=privileged,limit=10,action=none)
end
`,
    );
    const out = await ok(root, ['zonecfg', '-z', 'vm1', 'export']);
    expect(out).toContain('add property (name=promiscphys,value="on")\n');
    expect(out).toContain(
      'add rctl\nset name="zone.cpu-shares"\nadd value (priv=privileged,limit=10,action=none)\nend\n',
    );
  });

  it('refuses a net address on an exclusive-IP zone at verify', async () => {
    const root = newHost();
    const r = await run(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      'create -t bhyve\nset zonepath=/zones/vm1\nadd net\nset physical=vm1net0\nset address=10.0.0.1/24\nend\n',
    );
    expect(r.stderr).toBe(
      'On line 6:\nnet: address cannot be specified for an exclusive IP type\nConfiguration not saved.\n',
    );
    expect(r.exitCode).toBe(1);
  });
});

describe('zonecfg limits', () => {
  it('refuses a string attr value of 256 bytes or more at end (validate_attr_type_val copies it into MAXNAMELEN)', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1'));
    const at255 = 'k'.repeat(255);
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      `add attr\nset name=sshkey\nset type=string\nset value="${at255}"\nend\n`,
    );
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'attr', 'name=sshkey'])).toBe(
      `attr:\n\tname: sshkey\n\ttype: string\n\tvalue: ${at255}\n`,
    );
    const r = await run(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      `add attr\nset name=password\nset type=string\nset value="${'k'.repeat(3000)}"\nend\n`,
    );
    expect(r).toEqual({
      stdout: '',
      stderr: 'On line 5:\ninvalid attr value for type=string\nResource incomplete.\n',
      exitCode: 1,
    });
    expect(
      (await run(root, ['zonecfg', '-z', 'vm1', 'info', 'attr', 'name=password'])).stdout,
    ).toBe('No such attr resource.\n');
  });
});

describe('zonecfg attr and fs resources on a bhyve zone', () => {
  it('adds a cdrom attr and its lofs fs to a running zone; export and info show them; remove takes them out', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      `add attr\nset name=cdrom\nset type=string\nset value=/iso/debian.iso\nend\n${ISO}`,
    );
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'export'])).toBe(
      `create -b
set zonepath=/zones/vm1
set brand=bhyve
set autoboot=false
set ip-type=exclusive
add fs
set dir="/iso/debian.iso"
set special="/iso/debian.iso"
set type="lofs"
add options ro
add options nodevices
end
add net
set allowed-address="10.0.0.112/24"
set physical="vm1net0"
end
add device
set match="/dev/zvol/rdsk/rpool/zones/vm1/disk0"
end
add attr
set name="bootdisk"
set type="string"
set value="rpool/zones/vm1/disk0"
end
add attr
set name="cdrom"
set type="string"
set value="/iso/debian.iso"
end
`,
    );
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'attr', 'name=cdrom'])).toBe(
      'attr:\n\tname: cdrom\n\ttype: string\n\tvalue: /iso/debian.iso\n',
    );
    expect(await ok(root, ['zonecfg', '-z', 'vm1', 'info', 'fs'])).toBe(
      'fs:\n\tdir: /iso/debian.iso\n\tspecial: /iso/debian.iso\n\traw not specified\n\ttype: lofs\n\toptions: [ro,nodevices]\n',
    );
    await ok(root, [
      'zonecfg',
      '-z',
      'vm1',
      'remove attr name=cdrom; remove fs dir=/iso/debian.iso',
    ]);
    const after = await ok(root, ['zonecfg', '-z', 'vm1', 'export']);
    expect(after).not.toContain('cdrom');
    expect(after).not.toContain('add fs');
    expect(after).toContain('set name="bootdisk"');
    expect(await run(root, ['zonecfg', '-z', 'vm1', 'remove attr name=cdrom'])).toEqual({
      stdout: '',
      stderr: 'remove attr: No such resource with that id\n',
      exitCode: 1,
    });
  });

  it('checks attr names, types and values at end as zonecfg.c does', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1'));
    const end = async (name: string, type: string, value: string) =>
      run(root, [
        'zonecfg',
        '-z',
        'vm1',
        `add attr; set name="${name}"; set type=${type}; set value="${value}"; end`,
      ]);
    expect((await end('_x', 'string', 'v')).stderr).toBe(
      'Invalid attr name _x: must start with an alpha-numeric character.\nResource incomplete.\n',
    );
    expect((await end('a_b', 'string', 'v')).stderr).toBe(
      "Invalid attr name a_b: can only contain alpha-numeric characters, plus '-' and '.'.\nResource incomplete.\n",
    );
    expect((await end('n', 'int', '12a')).stderr).toBe(
      'invalid attr value for type=int\nResource incomplete.\n',
    );
    expect((await end('n', 'uint', '-1')).stderr).toBe(
      'invalid attr value for type=uint\nResource incomplete.\n',
    );
    expect((await end('n', 'boolean', 'yes')).stderr).toBe(
      'invalid attr value for type=boolean\nResource incomplete.\n',
    );
    expect((await end('n', 'text', 'v')).stderr).toBe(
      "invalid attr type 'text'\nResource incomplete.\n",
    );
    expect((await end('bootdisk', 'string', 'v')).stderr).toBe(
      "An attr resource with the name 'bootdisk' already exists.\nResource incomplete.\n",
    );
    for (const [type, value] of [
      ['int', '-42'],
      ['uint', '18446744073709551615'],
      ['boolean', 'true'],
      ['string', 'debug.persist'],
    ]) {
      expect((await end(`ok-${type}.1`, type!, value!)).exitCode).toBe(0);
    }
  });

  it('refuses an fs dir that is not an absolute path', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1'));
    expect(
      await run(root, [
        'zonecfg',
        '-z',
        'vm1',
        'add fs; set dir=iso; set special=/iso; set type=lofs; end',
      ]),
    ).toEqual({
      stdout: '',
      stderr: 'dir iso is not an absolute path.\nResource incomplete.\n',
      exitCode: 1,
    });
  });
});
