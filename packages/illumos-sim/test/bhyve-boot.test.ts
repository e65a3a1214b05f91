import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bhyveConfig, makeZone, newHost, ok, run } from './helpers.js';

/**
 * What happens when a bhyve zone boots, as OmniOS does it: zoneadm verifies the configuration
 * (`fs` specials must exist in the global zone), zoneadmd readies the zone (lofs-mounts each
 * `fs` special at its `dir`), runs boot.py (which does not open disks) and starts bhyve as the
 * zone's init. bhyve runs chrooted in the zone: a disk path is looked up inside it, so a zvol
 * needs a `device match`, a file needs an `fs` mount (or to lie under the zone root). When
 * bhyve cannot open a disk it exits; zoneadm boot has already returned 0 and the zone halts.
 */
async function state(root: string, zone: string): Promise<string> {
  return (await ok(root, ['zoneadm', '-z', zone, 'list', '-p'])).split(':')[2]!;
}

function initLog(root: string, zone: string): string {
  return readFileSync(join(root, 'root', 'zones', zone, 'root', 'tmp', 'init.log'), 'utf8');
}

/** A bhyve zone whose boot disk is a file, lofs-mounted from `special` at `dir`. */
function fileZone(name: string, dir: string, special: string, bootdisk: string): string {
  return `create -b
set zonepath=/zones/${name}
set brand=bhyve
set ip-type=exclusive
add net
set physical=${name}net0
end
add fs
set dir=${dir}
set special=${special}
set type=lofs
add options nodevices
end
add attr
set name=bootdisk
set type=string
set value=${bootdisk}
end
`;
}

async function installFileZone(root: string, name: string, cfg: string): Promise<void> {
  await ok(root, ['zonecfg', '-z', name, '-f', '-'], cfg);
  await ok(root, ['zoneadm', '-z', name, 'install']);
  await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', `${name}net0`]);
}

function writeHostFile(root: string, path: string, text = 'disk'): void {
  mkdirSync(join(root, 'root', path, '..'), { recursive: true });
  writeFileSync(join(root, 'root', path), text);
}

describe('bhyve boot with a file boot disk', () => {
  it('runs when the file is reachable through an fs lofs mount at the same path, with no device match', async () => {
    const root = newHost();
    writeHostFile(root, '/var/apiary/vms/vm1/disk0.img');
    await installFileZone(
      root,
      'vm1',
      fileZone(
        'vm1',
        '/var/apiary/vms/vm1',
        '/var/apiary/vms/vm1',
        '/var/apiary/vms/vm1/disk0.img',
      ),
    );
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await state(root, 'vm1')).toBe('running');
  });

  it('resolves the path inside the zone: dir maps to special, the global path itself is not visible', async () => {
    const root = newHost();
    writeHostFile(root, '/var/vms/vm1/disk.img');
    await installFileZone(root, 'vm1', fileZone('vm1', '/vm', '/var/vms/vm1', '/vm/disk.img'));
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(await state(root, 'vm1')).toBe('running');

    writeHostFile(root, '/var/vms/vm2/disk.img');
    await installFileZone(
      root,
      'vm2',
      fileZone('vm2', '/vm', '/var/vms/vm2', '/var/vms/vm2/disk.img'),
    );
    expect(await run(root, ['zoneadm', '-z', 'vm2', 'boot'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await state(root, 'vm2')).toBe('installed');
    expect(initLog(root, 'vm2')).toContain(
      'bhyve-vm2: Could not open backing file: /var/vms/vm2/disk.img: No such file or directory\n',
    );
  });

  it('finds a file under the zone root without any fs resource', async () => {
    const root = newHost();
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      bhyveConfig('vm1').replace('set value=rpool/zones/vm1/disk0', 'set value=/disks/boot.img'),
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'install']);
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'vm1net0']);
    writeHostFile(root, '/zones/vm1/root/disks/boot.img');
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(await state(root, 'vm1')).toBe('running');
  });

  it('halts right after a boot that exits 0 when the file is missing behind the mount, with bhyve’s error in init.log', async () => {
    const root = newHost();
    mkdirSync(join(root, 'root', 'var', 'vms', 'vm1'), { recursive: true });
    await installFileZone(root, 'vm1', fileZone('vm1', '/vm', '/var/vms/vm1', '/vm/disk.img'));
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await state(root, 'vm1')).toBe('installed');
    expect(await ok(root, ['zoneadm', '-z', 'vm1', 'list', '-p'])).toMatch(/^-:vm1:installed:/);
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /vm/disk.img: No such file or directory\n',
    );
  });

  it('fails verification (boot, verify, install) when an fs special does not exist', async () => {
    const root = newHost();
    const cfg = fileZone('vm1', '/vm', '/var/vms/vm1', '/vm/disk.img');
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], cfg);
    const refusal = {
      stdout: '',
      stderr:
        'could not verify fs /vm: could not access /var/vms/vm1: No such file or directory\nzoneadm: zone vm1 failed to verify\n',
      exitCode: 1,
    };
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'install'])).toEqual(refusal);
    expect(await state(root, 'vm1')).toBe('configured');
    mkdirSync(join(root, 'root', 'var', 'vms', 'vm1'), { recursive: true });
    await ok(root, ['zoneadm', '-z', 'vm1', 'install']);
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'vm1net0']);
    const { rmSync } = await import('node:fs');
    rmSync(join(root, 'root', 'var', 'vms', 'vm1'), { recursive: true });
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'verify'])).toEqual(refusal);
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual(refusal);
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'ready'])).toEqual(refusal);
    expect(await state(root, 'vm1')).toBe('installed');
  });

  it("keeps the file system behind a running zone's lofs mount busy", async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-o', 'mountpoint=/var/vms', 'rpool/vms']);
    await ok(root, ['zfs', 'create', 'rpool/vms/vm1']);
    writeHostFile(root, '/var/vms/vm1/disk.img');
    await installFileZone(root, 'vm1', fileZone('vm1', '/vm', '/var/vms/vm1', '/vm/disk.img'));
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(await run(root, ['zfs', 'destroy', '-r', 'rpool/vms'])).toEqual({
      stdout: '',
      stderr: "cannot unmount '/var/vms/vm1': Device busy\n",
      exitCode: 1,
    });
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    await ok(root, ['zfs', 'destroy', '-r', 'rpool/vms']);
  });
});

describe('bhyve boot with zvol disks', () => {
  it('halts after boot when the boot disk zvol is missing', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1'));
    await ok(root, ['zoneadm', '-z', 'vm1', 'install']);
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'vm1net0']);
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await state(root, 'vm1')).toBe('installed');
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /dev/zvol/rdsk/rpool/zones/vm1/disk0: No such file or directory\n',
    );
  });

  it('halts after boot when no device match exports the zvol to the zone', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    await ok(root, ['zonecfg', '-z', 'vm1', 'remove device']);
    expect((await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).exitCode).toBe(0);
    expect(await state(root, 'vm1')).toBe('installed');
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /dev/zvol/rdsk/rpool/zones/vm1/disk0: No such file or directory\n',
    );
  });

  it('reports the first device bhyve opens: cdroms (slot 3) before the boot disk', async () => {
    const root = newHost();
    await makeZone(
      root,
      'vm1',
      false,
      'add attr\nset name=disk1\nset type=string\nset value=rpool/zones/vm1/nope\nend\nadd attr\nset name=cdrom\nset type=string\nset value=/iso/missing.iso\nend\n',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /iso/missing.iso: No such file or directory\n',
    );
  });
});

describe('bhyve boot hook (boot.py)', () => {
  it('fails with call to zoneadmd failed for a bootrom that is not installed, logged in zone.log', async () => {
    const root = newHost();
    await makeZone(
      root,
      'vm1',
      false,
      'add attr\nset name=bootrom\nset type=string\nset value=NOPE\nend\n',
    );
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': call to zoneadmd failed\n",
      exitCode: 1,
    });
    expect(await state(root, 'vm1')).toBe('installed');
    expect(readFileSync(join(root, 'root', 'zones', 'vm1', 'log', 'zone.log'), 'utf8')).toBe(
      'ERROR:root:bootrom NOPE not found.\n',
    );
  });

  it('accepts the firmware names and their pre-r151035 aliases', async () => {
    const root = newHost();
    await makeZone(
      root,
      'vm1',
      false,
      'add attr\nset name=bootrom\nset type=string\nset value=BHYVE_RELEASE-2.70\nend\n',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(await state(root, 'vm1')).toBe('running');
  });
});

/** An `add attr` block for makeZone's extra config. */
function attr(name: string, value: string): string {
  return `add attr\nset name=${name}\nset type=string\nset value="${value}"\nend\n`;
}

function zoneLog(root: string, zone: string): string {
  return readFileSync(join(root, 'root', 'zones', zone, 'log', 'zone.log'), 'utf8');
}

describe('the bhyve brand’s view of disk, cdrom and bootorder attrs (boot.py, bootlib.py)', () => {
  it('refuses disk16 and cdrom8 at boot: slot out of range, call to zoneadmd failed', async () => {
    for (const [name, message] of [
      ['disk16', 'disk16 slot out of range'],
      ['cdrom8', 'cdrom8 slot out of range'],
    ] as const) {
      const root = newHost();
      await makeZone(root, 'vm1', false, attr(name, 'rpool/zones/vm1/disk0'));
      expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
        stdout: '',
        stderr: "zoneadm: zone 'vm1': call to zoneadmd failed\n",
        exitCode: 1,
      });
      expect(zoneLog(root, 'vm1')).toBe(`ERROR:root:${message}\n`);
      expect(await state(root, 'vm1')).toBe('installed');
    }
  });

  it('gives a plain disk the first free slot: disk1 and disk share slot 5, disk (slot 5:0) opens first', async () => {
    const root = newHost();
    await makeZone(
      root,
      'vm1',
      false,
      attr('disk1', 'rpool/zones/vm1/second') + attr('disk', 'rpool/zones/vm1/first'),
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /dev/zvol/rdsk/rpool/zones/vm1/first: No such file or directory\n',
    );
  });

  it('moves the cdrom behind the disks (slot 7) when a BIOS bootrom should prefer the disk', async () => {
    const root = newHost();
    const extra = attr('disk1', 'rpool/zones/vm1/nope') + attr('cdrom', '/iso/missing.iso');
    await makeZone(root, 'vm1', false, extra + attr('bootorder', 'bootdisk,cdrom0'));
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /dev/zvol/rdsk/rpool/zones/vm1/nope: No such file or directory\n',
    );
    // the current boot.py expands the old `cd` alias to path0,bootdisk,cdrom0, which does not
    // start with bootdisk: the cdrom stays in slot 3 and is opened first
    const other = newHost();
    await makeZone(other, 'vm1', false, extra + attr('bootorder', 'cd'));
    await ok(other, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(initLog(other, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /iso/missing.iso: No such file or directory\n',
    );
  });

  it('fails the boot hook for a uefivars that is not a boolean', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', false, attr('uefivars', 'maybe'));
    expect((await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).exitCode).toBe(1);
    expect(zoneLog(root, 'vm1')).toBe(
      'ERROR:root:Invalid value maybe for boolean variable uefivars\n',
    );
  });

  it('boots from an ISO given as a cdrom attr and lofs-mounted into the zone, added while it ran', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    writeHostFile(root, '/iso/install.iso', 'ISO9660');
    await ok(
      root,
      ['zonecfg', '-z', 'vm1', '-f', '-'],
      `${attr('cdrom', '/iso/install.iso')}add fs\nset dir=/iso/install.iso\nset special=/iso/install.iso\nset type=lofs\nadd options ro\nadd options nodevices\nend\n`,
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'reboot']);
    expect(await state(root, 'vm1')).toBe('running');
    // without the fs resource bhyve cannot see the ISO inside the zone
    await ok(root, ['zonecfg', '-z', 'vm1', 'remove fs dir=/iso/install.iso']);
    await ok(root, ['zoneadm', '-z', 'vm1', 'reboot']);
    expect(await state(root, 'vm1')).toBe('installed');
    expect(initLog(root, 'vm1')).toContain(
      'bhyve-vm1: Could not open backing file: /iso/install.iso: No such file or directory\n',
    );
  });
});
