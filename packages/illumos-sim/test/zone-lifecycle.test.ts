import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bhyveConfig, makeZone, newHost, ok, run } from './helpers.js';

/**
 * The zone state machine: every transition and refusal of illumos-cli.md 1.2/1.3 (where the
 * reference and OmniOS's zoneadm.c sanity_check() disagree, the source wins: shutdown and
 * reboot of a zone that is not in the kernel say `not running`), and the
 * bhyve brand's side effects (zonepath dataset, tiny root, boot validation, firewall files).
 */
async function state(root: string, zone: string): Promise<string> {
  return (await ok(root, ['zoneadm', '-z', zone, 'list', '-p'])).split(':')[2]!;
}

type Setup = 'configured' | 'installed' | 'ready' | 'running' | 'incomplete';

async function zoneIn(s: Setup) {
  const root = newHost();
  if (s === 'configured') await ok(root, ['zonecfg', '-z', 'z1', '-f', '-'], bhyveConfig('z1'));
  else await makeZone(root, 'z1');
  if (s === 'ready') await ok(root, ['zoneadm', '-z', 'z1', 'ready']);
  if (s === 'running') await ok(root, ['zoneadm', '-z', 'z1', 'boot']);
  if (s === 'incomplete') await ok(root, ['zoneadm', '-z', 'z1', 'mark', 'incomplete']);
  return root;
}

// [from, command, exit code, resulting state, stderr message after "zoneadm: zone 'z1': " or '']
const TABLE: Array<[Setup, string[], number, string, string]> = [
  ['configured', ['install'], 0, 'installed', ''],
  ['configured', ['uninstall', '-F'], 1, 'configured', "is already in state 'configured'."],
  ['configured', ['boot'], 1, 'configured', 'must be installed before boot.'],
  ['configured', ['ready'], 1, 'configured', 'must be installed before ready.'],
  ['configured', ['halt'], 1, 'configured', 'must be installed before halt.'],
  ['installed', ['install'], 1, 'installed', 'is already installed.'],
  ['installed', ['ready'], 0, 'ready', ''],
  ['installed', ['boot'], 0, 'running', ''],
  ['installed', ['halt'], 0, 'installed', 'zone is already halted'],
  ['installed', ['shutdown'], 1, 'installed', 'not running'],
  ['installed', ['reboot'], 1, 'installed', 'not running'],
  ['installed', ['uninstall', '-F'], 0, 'configured', ''],
  ['installed', ['mark', 'incomplete'], 0, 'incomplete', ''],
  ['installed', ['verify'], 0, 'installed', ''],
  ['incomplete', ['install'], 1, 'incomplete', 'zone is incomplete; uninstall required.'],
  ['incomplete', ['boot'], 1, 'incomplete', 'must be installed before boot.'],
  ['incomplete', ['verify'], 1, 'incomplete', 'zone is incomplete; uninstall required.'],
  ['incomplete', ['uninstall', '-F'], 0, 'configured', ''],
  ['ready', ['ready'], 0, 'ready', 'zone is already ready'],
  ['ready', ['boot'], 0, 'running', ''],
  ['ready', ['halt'], 0, 'installed', ''],
  ['ready', ['reboot'], 1, 'ready', "reboot operation is invalid for zones in state 'ready'"],
  ['ready', ['shutdown'], 0, 'installed', ''],
  ['ready', ['install'], 1, 'ready', 'install operation is invalid for ready zones.'],
  ['ready', ['uninstall', '-F'], 1, 'ready', 'uninstall operation is invalid for ready zones.'],
  ['running', ['boot'], 0, 'running', 'zone is already booted'],
  ['running', ['ready'], 0, 'ready', ''],
  ['running', ['halt'], 0, 'installed', ''],
  ['running', ['shutdown'], 0, 'installed', ''],
  ['running', ['shutdown', '-r'], 0, 'running', ''],
  ['running', ['reboot'], 0, 'running', ''],
  ['running', ['install'], 1, 'running', 'install operation is invalid for running zones.'],
  [
    'running',
    ['uninstall', '-F'],
    1,
    'running',
    'uninstall operation is invalid for running zones.',
  ],
  ['running', ['mark', 'incomplete'], 1, 'running', 'mark operation is invalid for running zones.'],
];

describe('zone state machine', () => {
  it.each(TABLE)(
    '%s + %j exits %i and leaves the zone %s',
    async (from, cmd, exitCode, to, message) => {
      const root = await zoneIn(from);
      const r = await run(root, ['zoneadm', '-z', 'z1', ...cmd]);
      expect(r.exitCode).toBe(exitCode);
      expect(r.stderr).toBe(message ? `zoneadm: zone 'z1': ${message}\n` : '');
      expect(await state(root, 'z1')).toBe(to);
    },
  );

  it('gives a rebooted zone a new zoneid', async () => {
    const root = await zoneIn('running');
    const before = (await ok(root, ['zoneadm', '-z', 'z1', 'list', '-p'])).split(':')[0];
    await ok(root, ['zoneadm', '-z', 'z1', 'reboot']);
    const after = (await ok(root, ['zoneadm', '-z', 'z1', 'list', '-p'])).split(':')[0];
    expect(Number(after)).toBeGreaterThan(Number(before));
  });

  it('clones an installed zone into a configured one (target installed, source untouched)', async () => {
    const root = await zoneIn('installed');
    await ok(root, ['zonecfg', '-z', 'z2', '-f', '-'], bhyveConfig('z2'));
    await ok(root, ['zoneadm', '-z', 'z2', 'clone', 'z1']);
    expect(await state(root, 'z2')).toBe('installed');
    expect(await state(root, 'z1')).toBe('installed');
    expect(await ok(root, ['zfs', 'get', '-Hpo', 'value', 'origin', 'rpool/zones/z2'])).toMatch(
      /^rpool\/zones\/z1@SUNWzone\d+\n$/,
    );
  });
});

describe('zonepath checks', () => {
  it('warns on verify that a missing zonepath could not be verified', async () => {
    const root = await zoneIn('configured');
    expect(await run(root, ['zoneadm', '-z', 'z1', 'verify'])).toEqual({
      stdout: '',
      stderr:
        "WARNING: /zones/z1 does not exist, so it could not be verified.\nWhen 'zoneadm install' is run, 'install' will try to create\n/zones/z1, and 'verify' will be tried again,\nbut the 'verify' may fail if:\nthe parent directory of /zones/z1 is group- or other-writable\nor\n/zones/z1 overlaps with any other installed zones.\n",
      exitCode: 0,
    });
  });

  it('refuses install, verify and boot while the zonepath is readable by others', async () => {
    const { chmodSync, mkdirSync } = await import('node:fs');
    const root = await zoneIn('configured');
    const zp = join(root, 'root', 'zones', 'z1');
    mkdirSync(zp, { recursive: true });
    chmodSync(zp, 0o755);
    const refusal = {
      stdout: '',
      stderr:
        '/zones/z1 must not be group readable.\n/zones/z1 must not be group executable.\n/zones/z1 must not be world readable.\n/zones/z1 must not be world executable.\ncould not verify zonepath /zones/z1 because of the above errors.\nzoneadm: zone z1 failed to verify\n',
      exitCode: 1,
    };
    expect(await run(root, ['zoneadm', '-z', 'z1', 'verify'])).toEqual(refusal);
    expect(await run(root, ['zoneadm', '-z', 'z1', 'install'])).toEqual(refusal);
    chmodSync(zp, 0o700);
    await ok(root, ['zoneadm', '-z', 'z1', 'install']);
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/zones/z1/disk0']);
    await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', 'z1net0']);
    chmodSync(zp, 0o750);
    expect((await run(root, ['zoneadm', '-z', 'z1', 'boot'])).stderr).toBe(
      '/zones/z1 must not be group readable.\n/zones/z1 must not be group executable.\ncould not verify zonepath /zones/z1 because of the above errors.\nzoneadm: zone z1 failed to verify\n',
    );
  });
});

describe('verification order (sanity_check, then verify_details, then zoneadmd)', () => {
  it('reports the state refusal, not the zonepath, for a configured zone', async () => {
    const { chmodSync, mkdirSync } = await import('node:fs');
    const root = await zoneIn('configured');
    mkdirSync(join(root, 'root', 'zones', 'z1'), { recursive: true });
    chmodSync(join(root, 'root', 'zones', 'z1'), 0o755);
    expect(await run(root, ['zoneadm', '-z', 'z1', 'boot'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'z1': must be installed before boot.\n",
      exitCode: 1,
    });
  });

  it('verifies before zoneadmd answers: a running zone with a bad zonepath fails boot, not "already booted"', async () => {
    const { chmodSync } = await import('node:fs');
    const root = await zoneIn('running');
    chmodSync(join(root, 'root', 'zones', 'z1'), 0o701);
    expect(await run(root, ['zoneadm', '-z', 'z1', 'boot'])).toEqual({
      stdout: '',
      stderr:
        '/zones/z1 must not be world executable.\ncould not verify zonepath /zones/z1 because of the above errors.\nzoneadm: zone z1 failed to verify\n',
      exitCode: 1,
    });
    expect((await run(root, ['zoneadm', '-z', 'z1', 'reboot'])).exitCode).toBe(1);
    expect(await state(root, 'z1')).toBe('running');
  });

  it('refuses to boot an installed zone whose zonepath is gone (zperror of the path)', async () => {
    const { rmSync } = await import('node:fs');
    const root = await zoneIn('installed');
    rmSync(join(root, 'root', 'zones', 'z1'), { recursive: true });
    expect(await run(root, ['zoneadm', '-z', 'z1', 'boot'])).toEqual({
      stdout: '',
      stderr:
        'zoneadm: /zones/z1: No such file or directory\ncould not verify zonepath /zones/z1 because of the above errors.\nzoneadm: zone z1 failed to verify\n',
      exitCode: 1,
    });
  });
});

describe('install and uninstall side effects', () => {
  it('creates the zonepath dataset and the tiny root with etc/uuid, mode 0700', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', '-f', '-'], bhyveConfig('vm1'));
    await ok(root, ['zoneadm', '-z', 'vm1', 'install']);
    expect(await ok(root, ['zfs', 'list', '-Hpo', 'name,mountpoint', 'rpool/zones/vm1'])).toBe(
      'rpool/zones/vm1\t/zones/vm1\n',
    );
    const zp = join(root, 'root', 'zones', 'vm1');
    for (const d of ['dev', 'etc', 'usr', 'sbin', 'lib', 'var/run', 'tmp', 'var/tmp'])
      expect(existsSync(join(zp, 'root', d))).toBe(true);
    const uuid = (await ok(root, ['zoneadm', '-z', 'vm1', 'list', '-p'])).split(':')[4];
    expect(readFileSync(join(zp, 'root', 'etc', 'uuid'), 'utf8')).toBe(`${uuid}\n`);
  });

  it('destroys the zonepath dataset recursively on uninstall; zvols elsewhere survive', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/elsewhere']);
    writeFileSync(join(root, 'root', 'zones', 'vm1', 'note'), 'x');
    await ok(root, ['zoneadm', '-z', 'vm1', 'uninstall', '-F']);
    expect(await ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'all'])).toBe(
      'rpool\nrpool/elsewhere\nrpool/zones\n',
    );
    expect(existsSync(join(root, 'root', 'zones', 'vm1'))).toBe(false);
    expect((await ok(root, ['zoneadm', '-z', 'vm1', 'list', '-p'])).split(':')[4]).toBe('');
  });
});

describe('bhyve boot', () => {
  it('fails when a VNIC in net physical does not exist', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    await ok(root, ['dladm', 'delete-vnic', 'vm1net0']);
    const r = await run(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.endsWith("zoneadm: zone 'vm1': call to zoneadmd failed\n")).toBe(true);
    expect(await state(root, 'vm1')).toBe('installed');
  });

  it("loads $ZONEPATH/etc/ipf.conf and ipnat.conf into the zone's packet filter on boot", async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const etc = join(root, 'root', 'zones', 'vm1', 'etc');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'ipf.conf'), 'block out quick proto udp from any to any\n');
    writeFileSync(join(etc, 'ipnat.conf'), 'map vm1net0 10.0.0.0/24 -> 0/32\n');
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    expect(await ok(root, ['ipfstat', '-R', '-o', '-G', 'vm1'])).toBe(
      'block out quick proto udp from any to any\n',
    );
    expect(await ok(root, ['ipnat', '-l', '-G', 'vm1'])).toContain(
      'map vm1net0 10.0.0.0/24 -> 0.0.0.0/32\n',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    expect((await run(root, ['ipfstat', '-io', '-G', 'vm1'])).stderr).toBe(
      'Could not find running zone: vm1\n',
    );
  });

  it('writes the cloud-init seed with the SSH key and network on boot', async () => {
    const root = newHost();
    await makeZone(
      root,
      'vm1',
      false,
      'add attr\nset name=cloud-init\nset type=string\nset value=on\nend\nadd attr\nset name=sshkey\nset type=string\nset value="ssh-ed25519 AAAAC3Nz test@host"\nend\n',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    const seed = join(root, 'root', 'zones', 'vm1', 'root', 'cloud-init');
    expect(readFileSync(join(seed, 'meta-data'), 'utf8')).toMatch(
      /^instance-id: [0-9a-f-]{36}\nlocal-hostname: vm1\n$/,
    );
    expect(readFileSync(join(seed, 'user-data'), 'utf8')).toContain(
      'ssh_authorized_keys:\n  - ssh-ed25519 AAAAC3Nz test@host\n',
    );
    expect(readFileSync(join(seed, 'network-config'), 'utf8')).toContain(
      'addresses: [10.0.0.112/24]',
    );
  });
});
