import { describe, expect, it } from 'vitest';
import { readZvol, writeZvol } from '../src/zfs/zvol-api.js';
import { makeZone, newHost, ok, run, runBin } from './helpers.js';

/**
 * zfs send / zfs receive between hosts (zfs_do_send, zfs_send, zfs_do_receive,
 * zfs_receive_one in libzfs_sendrecv.c): volume bytes travel, snapshot guids survive the
 * trip, incremental streams apply only on top of their source, and the refusals read as on
 * illumos.
 */
const guid = async (root: string, ds: string) =>
  (await ok(root, ['zfs', 'get', '-Hpo', 'value', 'guid', ds])).trim();
const snapshots = async (root: string) =>
  ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'snapshot', '-s', 'createtxg']);

async function imageHost(): Promise<string> {
  const a = newHost();
  await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/img']);
  writeZvol(a, 'rpool/img', Buffer.alloc(300_000, 0xab));
  writeZvol(a, 'rpool/img', 'boot sector');
  await ok(a, ['zfs', 'snapshot', 'rpool/img@s1']);
  return a;
}

describe('zfs send | zfs receive between hosts', () => {
  it('carries a volume’s bytes and its snapshot guid, through real processes', async () => {
    const a = await imageHost();
    const b = newHost();
    const stream = await runBin(a, ['zfs', 'send', 'rpool/img@s1']);
    expect(stream.exitCode).toBe(0);
    expect(stream.stderr).toBe('');
    const r = await runBin(b, ['zfs', 'receive', 'rpool/copy'], stream.stdout);
    expect(r).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(readZvol(b, 'rpool/copy').equals(readZvol(a, 'rpool/img'))).toBe(true);
    expect(await guid(b, 'rpool/copy@s1')).toBe(await guid(a, 'rpool/img@s1'));
    // without -p no properties travel: the received volume has no refreservation (sparse)
    expect(
      await ok(b, [
        'zfs',
        'get',
        '-Hpo',
        'property,value,source',
        'volsize,refreservation',
        'rpool/copy',
      ]),
    ).toBe(`volsize\t${2 ** 30}\tlocal\nrefreservation\t0\tdefault\n`);
  });

  it('prints estimates with -nv on stdout and -v on stderr with the progress header', async () => {
    const a = await imageHost();
    expect(await run(a, ['zfs', 'send', '-nv', 'rpool/img@s1'])).toEqual({
      stdout: 'full send of rpool/img@s1 estimated size is 308K\ntotal estimated size is 308K\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await run(a, ['zfs', 'send', '-nP', 'rpool/img@s1'])).toEqual({
      stdout: 'full\trpool/img@s1\t315392\nsize\t315392\n',
      stderr: '',
      exitCode: 0,
    });
    const sent = await run(a, ['zfs', 'send', '-v', 'rpool/img@s1']);
    expect(sent.stderr).toBe(
      'full send of rpool/img@s1 estimated size is 308K\ntotal estimated size is 308K\nTIME        SENT   SNAPSHOT\n',
    );
    const b = newHost();
    const got = await run(b, ['zfs', 'receive', '-v', 'rpool/copy'], sent.stdout);
    expect(got.stdout).toMatch(
      /^receiving full stream of rpool\/img@s1 into rpool\/copy@s1\nreceived \S+ stream in 1 seconds \(\S+\/sec\)\n$/,
    );
  });

  it('applies an incremental stream of the changed blocks on top of its source only', async () => {
    const a = await imageHost();
    const b = newHost();
    await ok(b, ['zfs', 'receive', 'rpool/img'], await ok(a, ['zfs', 'send', 'rpool/img@s1']));
    writeZvol(a, 'rpool/img', 'new boot', 0);
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    expect(
      (await run(a, ['zfs', 'send', '-nv', '-i', 'rpool/img@s1', 'rpool/img@s2'])).stdout,
    ).toBe('send from @s1 to rpool/img@s2 estimated size is 128K\ntotal estimated size is 128K\n');
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/img@s2']);
    expect(incr.length).toBeLessThan((await ok(a, ['zfs', 'send', 'rpool/img@s2'])).length / 2);
    const c = newHost();
    expect(await run(c, ['zfs', 'receive', 'rpool/img'], incr)).toEqual({
      stdout: '',
      stderr: "cannot receive incremental stream: destination 'rpool/img' does not exist\n",
      exitCode: 1,
    });
    await ok(b, ['zfs', 'receive', 'rpool/img'], incr);
    expect(readZvol(b, 'rpool/img').equals(readZvol(a, 'rpool/img'))).toBe(true);
    expect(await snapshots(b)).toBe('rpool/img@s1\nrpool/img@s2\n');
    expect(await guid(b, 'rpool/img@s2')).toBe(await guid(a, 'rpool/img@s2'));
  });

  it('refuses an incremental whose source is not the destination’s latest snapshot', async () => {
    const a = await imageHost();
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s3']);
    const b = newHost();
    await ok(b, ['zfs', 'receive', 'rpool/img'], await ok(a, ['zfs', 'send', 'rpool/img@s1']));
    expect(
      await run(
        b,
        ['zfs', 'receive', 'rpool/img'],
        await ok(a, ['zfs', 'send', '-i', 's2', 'rpool/img@s3']),
      ),
    ).toEqual({
      stdout: '',
      stderr:
        'cannot receive incremental stream: most recent snapshot of rpool/img does not\nmatch incremental source\n',
      exitCode: 1,
    });
    // -I carries every snapshot in between
    await ok(
      b,
      ['zfs', 'receive', 'rpool/img'],
      await ok(a, ['zfs', 'send', '-I', 's1', 'rpool/img@s3']),
    );
    expect(await snapshots(b)).toBe('rpool/img@s1\nrpool/img@s2\nrpool/img@s3\n');
  });

  it('refuses a destination modified since its latest snapshot unless -F rolls it back', async () => {
    const a = await imageHost();
    const b = newHost();
    await ok(b, ['zfs', 'receive', 'rpool/img'], await ok(a, ['zfs', 'send', 'rpool/img@s1']));
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/img@s2']);
    writeZvol(b, 'rpool/img', 'guest wrote this');
    expect((await run(b, ['zfs', 'receive', 'rpool/img'], incr)).stderr).toBe(
      'cannot receive incremental stream: destination rpool/img has been modified\nsince most recent snapshot\n',
    );
    await ok(b, ['zfs', 'receive', '-F', 'rpool/img'], incr);
    expect(readZvol(b, 'rpool/img').equals(readZvol(a, 'rpool/img'))).toBe(true);
  });

  it('consumes a stream whose snapshot is already there, and refuses another of that name', async () => {
    const a = await imageHost();
    const b = newHost();
    const full = await ok(a, ['zfs', 'send', 'rpool/img@s1']);
    await ok(b, ['zfs', 'receive', 'rpool/img'], full);
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/img@s2']);
    await ok(b, ['zfs', 'receive', 'rpool/img'], incr);
    expect(await run(b, ['zfs', 'receive', '-v', 'rpool/img'], incr)).toEqual({
      stdout:
        'receiving incremental stream of rpool/img@s2 into rpool/img@s2\nsnap rpool/img@s2 already exists; ignoring\n',
      stderr: '',
      exitCode: 0,
    });
    await ok(b, ['zfs', 'destroy', 'rpool/img@s2']);
    await ok(b, ['zfs', 'snapshot', 'rpool/img@s2']);
    expect((await run(b, ['zfs', 'receive', 'rpool/img'], incr)).stderr).toBe(
      'cannot restore to rpool/img@s2: destination already exists\n',
    );
  });

  it('refuses a full stream onto an existing dataset: without -F, and with snapshots even with it', async () => {
    const a = await imageHost();
    const full = await ok(a, ['zfs', 'send', 'rpool/img@s1']);
    expect(await run(a, ['zfs', 'receive', 'rpool/img'], full)).toEqual({
      stdout: '',
      stderr:
        "cannot receive new filesystem stream: destination 'rpool/img' exists\nmust specify -F to overwrite it\n",
      exitCode: 1,
    });
    expect((await run(a, ['zfs', 'receive', '-F', 'rpool/img'], full)).stderr).toBe(
      'cannot receive new filesystem stream: destination has snapshots (eg. rpool/img@s1)\nmust destroy them to overwrite it\n',
    );
    await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/other']);
    await ok(a, ['zfs', 'receive', '-F', 'rpool/other'], full);
    expect(readZvol(a, 'rpool/other').equals(readZvol(a, 'rpool/img'))).toBe(true);
  });

  it('reads what is not a stream the way recv_read() does', async () => {
    const b = newHost();
    expect((await run(b, ['zfs', 'receive', 'rpool/x'], '')).stderr).toBe(
      'cannot receive: failed to read from stream\n',
    );
    expect(
      (await run(b, ['zfs', 'receive', 'rpool/x'], 'APIARY-SIM-ZSTREAM 2\nBEGIN {"to')).stderr,
    ).toBe('cannot receive: failed to read from stream\n');
    expect((await run(b, ['zfs', 'receive', 'rpool/x'], 'not a stream\n')).stderr).toBe(
      'cannot receive: invalid stream (bad magic number)\n',
    );
  });

  it('refuses a parent that does not exist, or is a volume', async () => {
    const a = await imageHost();
    const full = await ok(a, ['zfs', 'send', 'rpool/img@s1']);
    const b = newHost();
    expect((await run(b, ['zfs', 'receive', 'rpool/no/copy'], full)).stderr).toBe(
      "cannot open 'rpool/no': dataset does not exist\ncannot receive new filesystem stream: unable to restore to destination\n",
    );
    await ok(b, ['zfs', 'create', '-V', '1G', 'rpool/vol']);
    expect((await run(b, ['zfs', 'receive', 'rpool/vol/copy'], full)).stderr).toBe(
      "cannot receive new filesystem stream: parent 'rpool/vol' is not a filesystem\n",
    );
  });

  it('refuses a stream that does not fit in the pool', async () => {
    const a = await imageHost();
    // a stream that says it references 2G (the check comes before any record is read)
    const big = (await ok(a, ['zfs', 'send', 'rpool/img@s1'])).replace(
      /"referenced":\d+/,
      `"referenced":${2 ** 31}`,
    );
    const b = newHost({ pools: [{ name: 'rpool', size: '1G' }] });
    expect((await run(b, ['zfs', 'receive', 'rpool/big'], big)).stderr).toBe(
      'cannot receive new filesystem stream: out of space\n',
    );
  });

  it('says dataset is busy for an incremental into a volume a running zone has open', async () => {
    const a = newHost();
    await makeZone(a, 'vm1', false);
    await ok(a, ['zfs', 'snapshot', 'rpool/zones/vm1/disk0@s1']);
    await ok(a, ['zfs', 'snapshot', 'rpool/zones/vm1/disk0@s2']);
    const b = newHost();
    await makeZone(b, 'vm1', false);
    await ok(b, ['zfs', 'destroy', 'rpool/zones/vm1/disk0']);
    await ok(
      b,
      ['zfs', 'receive', 'rpool/zones/vm1/disk0'],
      await ok(a, ['zfs', 'send', 'rpool/zones/vm1/disk0@s1']),
    );
    await ok(b, ['zoneadm', '-z', 'vm1', 'boot']);
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/zones/vm1/disk0@s2']);
    expect((await run(b, ['zfs', 'receive', 'rpool/zones/vm1/disk0'], incr)).stderr).toBe(
      'cannot receive incremental stream: dataset is busy\n',
    );
  });
});

describe('zfs send errors', () => {
  it('warns about snapshots that are missing or out of order', async () => {
    const a = await imageHost();
    expect(await run(a, ['zfs', 'send', 'rpool/img@nope'])).toEqual({
      stdout: '',
      stderr: 'WARNING: could not send rpool/img@nope: does not exist\n',
      exitCode: 1,
    });
    expect((await run(a, ['zfs', 'send', '-i', '@gone', 'rpool/img@s1'])).stderr).toBe(
      'WARNING: could not send rpool/img@s1:\nincremental source (rpool/img@gone) does not exist\n',
    );
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    expect((await run(a, ['zfs', 'send', '-i', '@s2', 'rpool/img@s1'])).stderr).toBe(
      'WARNING: could not send rpool/img@s1:\nincremental source (rpool/img@s2) is not earlier than it\n',
    );
    expect((await run(a, ['zfs', 'send', '-i', 'rpool/zones@x', 'rpool/img@s1'])).stderr).toMatch(
      /^incremental source must be in same filesystem\nusage:\n/,
    );
    expect(await run(a, ['zfs', 'send', '-v', 'rpool/img'])).toEqual({
      stdout: '',
      stderr: 'Error: Unsupported flag with filesystem or bookmark.\n',
      exitCode: 1,
    });
    expect(await run(a, ['zfs', 'send', 'rpool/zones'])).toEqual({
      stdout: '',
      stderr:
        "warning: cannot send 'rpool/zones': target is busy; if a filesystem, it must not be mounted\n",
      exitCode: 1,
    });
  });
});

describe('zfs send -R | zfs receive -d / -e', () => {
  it('replicates a tree with every snapshot and names it under the target', async () => {
    const a = newHost();
    await ok(a, ['zfs', 'create', '-p', 'rpool/vms/vm1']);
    await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/vms/vm1/disk0']);
    writeZvol(a, 'rpool/vms/vm1/disk0', 'disk zero');
    await ok(a, ['zfs', 'snapshot', '-r', 'rpool/vms/vm1@a']);
    await ok(a, ['zfs', 'snapshot', '-r', 'rpool/vms/vm1@b']);
    const tree = await ok(a, ['zfs', 'send', '-R', 'rpool/vms/vm1@b']);
    const b = newHost();
    await ok(b, ['zfs', 'create', 'rpool/in']);
    await ok(b, ['zfs', 'receive', '-d', 'rpool/in'], tree);
    expect(await ok(b, ['zfs', 'list', '-Hpo', 'name', '-t', 'all', '-r', 'rpool/in'])).toBe(
      'rpool/in\nrpool/in/vms\nrpool/in/vms/vm1\nrpool/in/vms/vm1@a\nrpool/in/vms/vm1@b\nrpool/in/vms/vm1/disk0\nrpool/in/vms/vm1/disk0@a\nrpool/in/vms/vm1/disk0@b\n',
    );
    expect(readZvol(b, 'rpool/in/vms/vm1/disk0').toString()).toBe('disk zero');
    const c = newHost();
    await ok(c, ['zfs', 'receive', '-e', 'rpool/zones'], tree);
    expect(await ok(c, ['zfs', 'list', '-Hpo', 'name', '-r', 'rpool/zones'])).toBe(
      'rpool/zones\nrpool/zones/vm1\nrpool/zones/vm1/disk0\n',
    );
    expect((await run(c, ['zfs', 'receive', 'rpool/x@snap'], tree)).stderr).toBe(
      'cannot receive: cannot specify snapshot name for multi-snapshot stream\n',
    );
    expect((await run(c, ['zfs', 'receive', '-d', 'rpool/missing'], tree)).stderr).toBe(
      'cannot receive: specified fs (rpool/missing) does not exist\n',
    );
  });
});
