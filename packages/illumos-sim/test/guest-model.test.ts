import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ZoneRecord } from '../src/core/state-types.js';
import { readGuestIdentity } from '../src/guest/guest-identity.js';
import { guestOsFromRelease, knownGuestOs } from '../src/guest/guest-os.js';
import { runShellLine } from '../src/guest/guest-shell.js';
import { checkPublicAddress } from '../src/host/public-address.js';
import { newHost } from './helpers.js';

/** The simulated guest's shell and identity, and the host's public address. */
const ctx = { hostname: 'web-0', os: knownGuestOs('alpine')! };

describe("the guest's minimal shell", () => {
  it('answers hostname, uname and cat /etc/os-release as the image would', () => {
    expect(runShellLine('hostname', ctx)).toEqual({ stdout: 'web-0\n', stderr: '', status: 0 });
    expect(runShellLine('uname', ctx).stdout).toBe('Linux\n');
    expect(runShellLine('uname -sn', ctx).stdout).toBe('Linux web-0\n');
    expect(runShellLine('uname -a', { ...ctx, os: guestOsFromRelease(undefined) }).stdout).toMatch(
      /^SunOS web-0 5\.11 omnios-r151054-\w+ i86pc i386 i86pc\n$/,
    );
    expect(runShellLine('cat /etc/os-release', ctx).stdout).toContain(
      'PRETTY_NAME="Alpine Linux v3.20"',
    );
  });

  it('says not found with status 127, fails a missing file, and exits with a status', () => {
    expect(runShellLine('ls /', ctx)).toEqual({
      stdout: '',
      stderr: 'sh: ls: not found\n',
      status: 127,
    });
    expect(runShellLine('cat /etc/shadow', ctx)).toMatchObject({
      status: 1,
      stderr: 'cat: /etc/shadow: No such file or directory\n',
    });
    expect(runShellLine('uname -q', ctx).status).toBe(1);
    expect(runShellLine('hostname; nope; exit', ctx)).toMatchObject({
      stdout: 'web-0\n',
      exit: 127,
    });
    expect(runShellLine('exit 3', ctx).exit).toBe(3);
  });
});

describe("the guest's identity from its cloud-init seed", () => {
  /** A zone with a cloud-init seed and, given an os-release, a boot disk file that holds it. */
  function zoneWithSeed(userData: string, osRelease?: string): { root: string; zone: ZoneRecord } {
    const root = newHost();
    const seed = join(root, 'root', 'zones', 'g1', 'root', 'cloud-init');
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, 'user-data'), userData);
    writeFileSync(join(seed, 'meta-data'), 'instance-id: x\nlocal-hostname: from-meta\n');
    if (osRelease !== undefined) writeFileSync(join(root, 'root', 'g1-disk'), `${osRelease}\0junk`);
    const resources = [
      { type: 'attr' as const, props: { name: 'bootdisk', type: 'string', value: '/g1-disk' } },
    ];
    const zone: ZoneRecord = {
      name: 'g1',
      state: 'running',
      uuid: 'u',
      config: { props: { zonepath: '/zones/g1' }, resources },
    };
    return { root: join(root, 'root'), zone };
  }

  it("gives the top-level keys to the image's default user, and to root only without disable_root", () => {
    const seed =
      '#cloud-config\nhostname: web-0\nssh_authorized_keys:\n  - "ssh-ed25519 AAAA a@b"\n';
    const closed = zoneWithSeed(seed, knownGuestOs('ubuntu')?.osRelease);
    const guest = readGuestIdentity(closed.root, closed.zone);
    expect(guest.hostname).toBe('web-0');
    expect(guest.os.unameAll('web-0')).toMatch(/^Linux web-0 .*-Ubuntu /);
    expect(guest.keys.get('ubuntu')).toEqual(['ssh-ed25519 AAAA a@b']);
    expect(guest.keys.get('root') ?? []).toEqual([]);
    const open = zoneWithSeed(`${seed}disable_root: false\n`);
    expect(readGuestIdentity(open.root, open.zone).keys.get('root')).toEqual([
      'ssh-ed25519 AAAA a@b',
    ]);
  });

  it('adds the keys of a users entry, and falls back to meta-data for the hostname', () => {
    const { root, zone } = zoneWithSeed(
      '#cloud-config\nusers:\n  - default\n  - name: root\n    ssh_authorized_keys:\n      - "ssh-ed25519 BBBB c@d"\n',
    );
    const guest = readGuestIdentity(root, zone);
    expect(guest.keys.get('root')).toEqual(['ssh-ed25519 BBBB c@d']);
    expect(guest.hostname).toBe('from-meta');
    expect(guest.os.sysname).toBe('SunOS');
  });

  it('is the system its boot disk holds, a release it does not know being a generic Linux', () => {
    const { root, zone } = zoneWithSeed('#cloud-config\n', 'NAME="Fedora Linux"\nID=fedora\n');
    const os = readGuestIdentity(root, zone).os;
    expect([os.sysname, os.defaultUser, os.osRelease]).toEqual([
      'Linux',
      'fedora',
      'NAME="Fedora Linux"\nID=fedora',
    ]);
  });
});

describe('public address', () => {
  it('accepts loopback addresses only', () => {
    expect(checkPublicAddress('127.0.0.2')).toBe('127.0.0.2');
    for (const bad of ['10.0.0.2', '127.0.0.256', '127.0.0', '127.00.0.1', 'localhost'])
      expect(() => checkPublicAddress(bad)).toThrow(/invalid public address/);
  });
});
