import { describe, expect, it } from 'vitest';
import { readZvol, writeZvol } from '../src/zfs/zvol-api.js';
import { makeZone, newHost, ok, run } from './helpers.js';

/**
 * Snapshots made together (zfs_do_snapshot, zfs_snapshot_nvl: one kernel transaction, all or
 * none), rollback's refusals and what it destroys (zfs_do_rollback, zfs_rollback), promote.
 */
const names = async (root: string) =>
  ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'snapshot', '-s', 'createtxg']);

describe('zfs snapshot of several datasets', () => {
  it('creates every named snapshot in one command', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/a']);
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/b']);
    expect(await run(root, ['zfs', 'snapshot', 'rpool/a@s', 'rpool/b@s'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await names(root)).toBe('rpool/a@s\nrpool/b@s\n');
  });

  it('creates none when one already exists, naming each that does', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/a']);
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/b']);
    await ok(root, ['zfs', 'snapshot', 'rpool/b@s']);
    expect(await run(root, ['zfs', 'snapshot', 'rpool/a@s', 'rpool/b@s', 'rpool/zones@s'])).toEqual(
      {
        stdout: '',
        stderr:
          "cannot create snapshot 'rpool/b@s': dataset already exists\nno snapshots were created\n",
        exitCode: 1,
      },
    );
    expect(await names(root)).toBe('rpool/b@s\n');
  });

  it('says only the dataset line for a single snapshot that exists', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'snapshot', 'rpool/zones@s']);
    expect(await run(root, ['zfs', 'snapshot', 'rpool/zones@s'])).toEqual({
      stdout: '',
      stderr: "cannot create snapshot 'rpool/zones@s': dataset already exists\n",
      exitCode: 1,
    });
  });

  it('refuses two snapshots of one file system in the same command', async () => {
    const root = newHost();
    expect(await run(root, ['zfs', 'snapshot', 'rpool/zones@a', 'rpool/zones@b'])).toEqual({
      stdout: '',
      stderr:
        'cannot create snapshots : multiple snapshots of same fs not allowed\nno snapshots were created\n',
      exitCode: 1,
    });
    expect(await names(root)).toBe('');
  });

  it('snapshots descendants with -r, and -r fails as a whole when one child has the name', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-p', 'rpool/zones/vm1']);
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/zones/vm1/disk0']);
    await ok(root, ['zfs', 'snapshot', 'rpool/zones/vm1/disk0@mig']);
    expect((await run(root, ['zfs', 'snapshot', '-r', 'rpool/zones@mig'])).stderr).toBe(
      "cannot create snapshot 'rpool/zones/vm1/disk0@mig': dataset already exists\nno snapshots were created\n",
    );
    await ok(root, ['zfs', 'destroy', 'rpool/zones/vm1/disk0@mig']);
    await ok(root, ['zfs', 'snapshot', '-r', 'rpool/zones@mig']);
    expect(await names(root)).toBe(
      'rpool/zones@mig\nrpool/zones/vm1@mig\nrpool/zones/vm1/disk0@mig\n',
    );
  });

  it('refuses a bad -o with exit 1 and no usage, and a non-user property on a snapshot', async () => {
    const root = newHost();
    expect(await run(root, ['zfs', 'snapshot', '-o', 'novalue', 'rpool/zones@s'])).toEqual({
      stdout: '',
      stderr: "missing '=' for property=value argument\n",
      exitCode: 1,
    });
    expect(await run(root, ['zfs', 'snapshot', '-o', 'compression=lz4', 'rpool/zones@s'])).toEqual({
      stdout: '',
      stderr: "cannot create snapshots : 'compression' does not apply to datasets of this type\n",
      exitCode: 1,
    });
    await ok(root, ['zfs', 'snapshot', '-o', 'apiary:tag=v1', 'rpool/zones@s']);
    expect(
      await ok(root, ['zfs', 'get', '-Ho', 'value,source', 'apiary:tag', 'rpool/zones@s']),
    ).toBe('v1\tlocal\n');
  });
});

describe('zfs rollback', () => {
  it('refuses while newer snapshots exist and lists them; -r destroys them and rolls back', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/vm1disk']);
    writeZvol(root, 'rpool/vm1disk', 'first');
    await ok(root, ['zfs', 'snapshot', 'rpool/vm1disk@a']);
    writeZvol(root, 'rpool/vm1disk', 'secnd');
    await ok(root, ['zfs', 'snapshot', 'rpool/vm1disk@b']);
    await ok(root, ['zfs', 'snapshot', 'rpool/vm1disk@c']);
    writeZvol(root, 'rpool/vm1disk', 'third');
    expect(await run(root, ['zfs', 'rollback', 'rpool/vm1disk@a'])).toEqual({
      stdout: '',
      stderr:
        "cannot rollback to 'rpool/vm1disk@a': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\nrpool/vm1disk@b\nrpool/vm1disk@c\n",
      exitCode: 1,
    });
    expect(readZvol(root, 'rpool/vm1disk').toString()).toBe('third');
    expect(await run(root, ['zfs', 'rollback', '-r', 'rpool/vm1disk@a'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(readZvol(root, 'rpool/vm1disk').toString()).toBe('first');
    expect(await names(root)).toBe('rpool/vm1disk@a\n');
  });

  it('rolls back to the latest snapshot without -r, restoring bytes and volsize', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-s', '-V', '1G', 'rpool/d']);
    writeZvol(root, 'rpool/d', Buffer.alloc(200_000, 5));
    await ok(root, ['zfs', 'snapshot', 'rpool/d@s']);
    writeZvol(root, 'rpool/d', Buffer.alloc(8, 9), 100);
    await ok(root, ['zfs', 'set', 'volsize=2G', 'rpool/d']);
    await ok(root, ['zfs', 'rollback', 'rpool/d@s']);
    expect(readZvol(root, 'rpool/d').equals(Buffer.alloc(200_000, 5))).toBe(true);
    expect(await ok(root, ['zfs', 'get', '-Hpo', 'value', 'volsize', 'rpool/d'])).toBe(
      `${2 ** 30}\n`,
    );
  });

  it('-r stops at clones of the newer snapshots; -R destroys them too', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/img']);
    await ok(root, ['zfs', 'snapshot', 'rpool/img@a']);
    await ok(root, ['zfs', 'snapshot', 'rpool/img@b']);
    await ok(root, ['zfs', 'clone', 'rpool/img@b', 'rpool/c1']);
    await ok(root, ['zfs', 'snapshot', 'rpool/c1@x']);
    expect(await run(root, ['zfs', 'rollback', '-r', 'rpool/img@a'])).toEqual({
      stdout: '',
      stderr:
        "cannot rollback to 'rpool/img@a': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\nrpool/c1@x\nrpool/c1\n",
      exitCode: 1,
    });
    await ok(root, ['zfs', 'rollback', '-R', 'rpool/img@a']);
    expect(await ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'all', '-r', 'rpool'])).toBe(
      'rpool\nrpool/img\nrpool/img@a\nrpool/zones\n',
    );
  });

  it('says dataset is busy for a volume a running zone has open', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    await ok(root, ['zfs', 'snapshot', 'rpool/zones/vm1/disk0@s']);
    expect(await run(root, ['zfs', 'rollback', 'rpool/zones/vm1/disk0@s'])).toEqual({
      stdout: '',
      stderr: "cannot rollback 'rpool/zones/vm1/disk0': dataset is busy\n",
      exitCode: 1,
    });
  });

  it('names what is wrong with the argument', async () => {
    const root = newHost();
    expect(await run(root, ['zfs', 'rollback', 'rpool/zones'])).toEqual({
      stdout: '',
      stderr: "cannot open 'rpool/zones': missing '@' delimiter in snapshot name\n",
      exitCode: 1,
    });
    expect((await run(root, ['zfs', 'rollback', 'rpool/zones@nope'])).stderr).toBe(
      "cannot open 'rpool/zones@nope': dataset does not exist\n",
    );
    const usage = await run(root, ['zfs', 'rollback']);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toBe(
      'missing dataset argument\nusage:\n\trollback [-rRf] <snapshot>\n\nFor the property list, run: zfs set|get\n\nFor the delegated permission list, run: zfs allow|unallow\n',
    );
  });
});

describe('zfs promote', () => {
  it('moves the origin snapshot to the clone, so the old origin can be destroyed', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/img']);
    writeZvol(root, 'rpool/img', 'image');
    await ok(root, ['zfs', 'snapshot', 'rpool/img@base']);
    await ok(root, ['zfs', 'snapshot', 'rpool/img@later']);
    await ok(root, ['zfs', 'clone', 'rpool/img@base', 'rpool/vm1']);
    await ok(root, ['zfs', 'promote', 'rpool/vm1']);
    expect(await ok(root, ['zfs', 'list', '-Hpo', 'name,origin', '-t', 'all', '-r', 'rpool'])).toBe(
      'rpool\t-\nrpool/img\trpool/vm1@base\nrpool/img@later\t-\nrpool/vm1\t-\nrpool/vm1@base\t-\nrpool/zones\t-\n',
    );
    await ok(root, ['zfs', 'destroy', '-r', 'rpool/img']);
    expect(readZvol(root, 'rpool/vm1').toString()).toBe('image');
  });

  it('refuses a dataset that is not a clone, and a conflicting snapshot name', async () => {
    const root = newHost();
    expect(await run(root, ['zfs', 'promote', 'rpool/zones'])).toEqual({
      stdout: '',
      stderr: "cannot promote 'rpool/zones': not a cloned filesystem\n",
      exitCode: 1,
    });
    await ok(root, ['zfs', 'create', 'rpool/img']);
    await ok(root, ['zfs', 'snapshot', 'rpool/img@base']);
    await ok(root, ['zfs', 'clone', 'rpool/img@base', 'rpool/c']);
    await ok(root, ['zfs', 'snapshot', 'rpool/c@base']);
    expect(await run(root, ['zfs', 'promote', 'rpool/c'])).toEqual({
      stdout: '',
      stderr:
        "cannot promote 'rpool/c': conflicting snapshot 'base' from parent 'rpool/img@base'\n",
      exitCode: 1,
    });
  });
});

describe('zfs destroy of snapshots with clones', () => {
  it('-R destroys the clones; -Rnv lists the snapshots and what they would free', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/img']);
    await ok(root, ['zfs', 'snapshot', 'rpool/img@s']);
    await ok(root, ['zfs', 'clone', 'rpool/img@s', 'rpool/c']);
    expect((await run(root, ['zfs', 'destroy', '-nv', 'rpool/img@s'])).exitCode).toBe(1);
    expect(await run(root, ['zfs', 'destroy', '-Rnv', 'rpool/img@s'])).toEqual({
      stdout: 'would destroy rpool/img@s\nwould reclaim 0\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await run(root, ['zfs', 'destroy', '-Rv', 'rpool/img@s'])).toEqual({
      stdout: 'will destroy rpool/img@s\nwill reclaim 0\nwill destroy rpool/c\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'all', '-r', 'rpool'])).toBe(
      'rpool\nrpool/img\nrpool/zones\n',
    );
  });
});
