import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeZone, newHost, ok } from './helpers.js';

/**
 * A clone of a file system shows its origin's files under the clone's own mountpoint (volume
 * clones already start from the snapshot's bytes). The files of datasets mounted below the
 * origin are theirs, not the origin's, and do not come along.
 */
function hostFile(root: string, path: string): string {
  return join(root, 'root', path);
}

describe('zfs clone of a file system', () => {
  it("shows the origin's files, modes included, under the clone's mountpoint", async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-o', 'mountpoint=/img', 'rpool/img']);
    mkdirSync(hostFile(root, '/img/sub'), { recursive: true });
    writeFileSync(hostFile(root, '/img/disk.img'), 'RAW-DISK');
    writeFileSync(hostFile(root, '/img/sub/notes'), 'n', { mode: 0o600 });
    await ok(root, ['zfs', 'snapshot', 'rpool/img@base']);
    await ok(root, ['zfs', 'clone', 'rpool/img@base', 'rpool/vm1']);
    expect(await ok(root, ['zfs', 'get', '-Hpo', 'value', 'mountpoint', 'rpool/vm1'])).toBe(
      '/rpool/vm1\n',
    );
    expect(readFileSync(hostFile(root, '/rpool/vm1/disk.img'), 'utf8')).toBe('RAW-DISK');
    expect(readFileSync(hostFile(root, '/rpool/vm1/sub/notes'), 'utf8')).toBe('n');
    expect(statSync(hostFile(root, '/rpool/vm1/sub/notes')).mode & 0o777).toBe(0o600);
  });

  it('gives the clone its own copy: writes to one do not show in the other', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-o', 'mountpoint=/img', 'rpool/img']);
    writeFileSync(hostFile(root, '/img/disk.img'), 'ORIGIN');
    await ok(root, ['zfs', 'snapshot', 'rpool/img@base']);
    await ok(root, ['zfs', 'clone', '-o', 'mountpoint=/vms/vm1', 'rpool/img@base', 'rpool/vm1']);
    writeFileSync(hostFile(root, '/vms/vm1/disk.img'), 'CLONE');
    expect(readFileSync(hostFile(root, '/img/disk.img'), 'utf8')).toBe('ORIGIN');
    expect(readFileSync(hostFile(root, '/vms/vm1/disk.img'), 'utf8')).toBe('CLONE');
  });

  it('leaves out the files of datasets mounted below the origin', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-o', 'mountpoint=/data', 'rpool/data']);
    await ok(root, ['zfs', 'create', 'rpool/data/child']);
    writeFileSync(hostFile(root, '/data/own'), 'mine');
    writeFileSync(hostFile(root, '/data/child/theirs'), 'child');
    await ok(root, ['zfs', 'snapshot', 'rpool/data@s']);
    await ok(root, ['zfs', 'clone', 'rpool/data@s', 'rpool/copy']);
    expect(readFileSync(hostFile(root, '/rpool/copy/own'), 'utf8')).toBe('mine');
    expect(existsSync(hostFile(root, '/rpool/copy/child'))).toBe(false);
  });

  it('makes an empty clone of a file system whose origin has no files', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', 'rpool/empty']);
    await ok(root, ['zfs', 'snapshot', 'rpool/empty@s']);
    await ok(root, ['zfs', 'clone', 'rpool/empty@s', 'rpool/c']);
    expect(existsSync(hostFile(root, '/rpool/c'))).toBe(true);
  });
});

describe('zoneadm clone', () => {
  it("carries the source zone's root, etc/uuid included (the bhyve brand has no clone hook)", async () => {
    const root = newHost();
    await makeZone(root, 'z1');
    writeFileSync(hostFile(root, '/zones/z1/root/etc/marker'), 'from z1');
    await ok(
      root,
      ['zonecfg', '-z', 'z2', '-f', '-'],
      'create -b\nset zonepath=/zones/z2\nset brand=bhyve\nset ip-type=exclusive\n',
    );
    await ok(root, ['zoneadm', '-z', 'z2', 'clone', 'z1']);
    expect(readFileSync(hostFile(root, '/zones/z2/root/etc/marker'), 'utf8')).toBe('from z1');
    expect(readFileSync(hostFile(root, '/zones/z2/root/etc/uuid'), 'utf8')).toBe(
      readFileSync(hostFile(root, '/zones/z1/root/etc/uuid'), 'utf8'),
    );
    expect(statSync(hostFile(root, '/zones/z2')).mode & 0o777).toBe(0o700);
    // z1's disk zvol is a dataset of its own below the zonepath: not part of the clone
    expect(await ok(root, ['zfs', 'list', '-Hpo', 'name', '-r', 'rpool/zones/z2'])).toBe(
      'rpool/zones/z2\n',
    );
  });
});
