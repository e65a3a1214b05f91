import { describe, expect, it } from 'vitest';
import { addFault } from '../src/core/faults.js';
import { readZvol, writeZvol } from '../src/zfs/zvol-api.js';
import { newHost, ok, run, runBin } from './helpers.js';

/**
 * Resumable receive (zfs receive -s; libzfs_sendrecv.c recv_ecksum_set_aux, zfs_send_resume,
 * zfs_send_resume_token_to_nvlist; zfs_main.c zfs_do_receive -A): a stream cut part-way
 * leaves the received part and a receive_resume_token; `zfs send -t` sends the rest.
 */
const token = async (root: string, ds: string) =>
  (await ok(root, ['zfs', 'get', '-H', '-o', 'value', 'receive_resume_token', ds])).trim();

const saved = (errbuf: string, t: string) =>
  `${errbuf}: checksum mismatch or incomplete stream.\nPartially received snapshot is saved.\nA resuming stream can be generated on the sending system by running:\n    zfs send -t ${t}\n`;

async function source(): Promise<{ a: string; full: string }> {
  const a = newHost();
  await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/img']);
  writeZvol(a, 'rpool/img', Buffer.alloc(600_000, 0x5a));
  writeZvol(a, 'rpool/img', 'MBR');
  await ok(a, ['zfs', 'snapshot', 'rpool/img@s1']);
  return { a, full: await ok(a, ['zfs', 'send', 'rpool/img@s1']) };
}

describe('zfs receive -s of a stream cut part-way', () => {
  it('keeps what arrived, shows the token, and finishes from zfs send -t', async () => {
    const { a, full } = await source();
    const b = newHost();
    const cut = await run(
      b,
      ['zfs', 'receive', '-s', 'rpool/copy'],
      full.slice(0, full.length / 2),
    );
    const t = await token(b, 'rpool/copy');
    expect(t).toMatch(/^1-[0-9a-f]+-[0-9a-f]+-789c[0-9a-f]+$/);
    expect(cut).toEqual({
      stdout: '',
      stderr: saved('cannot receive new filesystem stream', t),
      exitCode: 1,
    });
    // the partly received volume is there, with no snapshot yet
    expect(await ok(b, ['zfs', 'list', '-Hpo', 'name', '-t', 'all', '-r', 'rpool/copy'])).toBe(
      'rpool/copy\n',
    );
    const rest = await ok(a, ['zfs', 'send', '-t', t]);
    expect(rest.length).toBeLessThan(full.length);
    expect(await run(b, ['zfs', 'receive', '-s', 'rpool/copy'], rest)).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(readZvol(b, 'rpool/copy').equals(readZvol(a, 'rpool/img'))).toBe(true);
    expect(await token(b, 'rpool/copy')).toBe('-');
    expect(await ok(b, ['zfs', 'get', '-Hpo', 'value', 'guid', 'rpool/copy@s1'])).toBe(
      await ok(a, ['zfs', 'get', '-Hpo', 'value', 'guid', 'rpool/img@s1']),
    );
  });

  it('keeps nothing without -s', async () => {
    const { full } = await source();
    const b = newHost();
    expect(await run(b, ['zfs', 'receive', 'rpool/copy'], full.slice(0, full.length / 2))).toEqual({
      stdout: '',
      stderr: 'cannot receive new filesystem stream: checksum mismatch or incomplete stream\n',
      exitCode: 1,
    });
    expect((await run(b, ['zfs', 'list', 'rpool/copy'])).exitCode).toBe(1);
  });

  it('resumes an incremental receive kept in the hidden %recv clone; blocks other receives meanwhile', async () => {
    const { a, full } = await source();
    const b = newHost();
    await ok(b, ['zfs', 'receive', 'rpool/img'], full);
    writeZvol(a, 'rpool/img', Buffer.alloc(400_000, 0x33), 100_000);
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/img@s2']);
    const cut = await run(b, ['zfs', 'receive', '-s', 'rpool/img'], incr.slice(0, incr.length / 2));
    const t = await token(b, 'rpool/img');
    expect(cut.stderr).toBe(saved('cannot receive incremental stream', t));
    // the live volume is untouched until the receive completes
    expect(readZvol(b, 'rpool/img', { length: 3 }).toString()).toBe('MBR');
    expect(await run(b, ['zfs', 'receive', 'rpool/img'], incr)).toEqual({
      stdout: '',
      stderr:
        'cannot receive incremental stream: destination rpool/img contains partially-complete state from "zfs receive -s".\n',
      exitCode: 1,
    });
    expect(await run(a, ['zfs', 'send', '-nv', '-t', t])).toMatchObject({
      stdout: expect.stringMatching(
        /^resume token contents:\nnvlist version: 0\n\tfromguid = 0x[0-9a-f]+\n\tobject = 0x1\n\toffset = 0x[0-9a-f]+\n\tbytes = 0x[0-9a-f]+\n\ttoguid = 0x[0-9a-f]+\n\ttoname = rpool\/img@s2\nsend from rpool\/img@s1 to rpool\/img@s2 estimated size is \S+\n$/,
      ),
      exitCode: 0,
    });
    await ok(b, ['zfs', 'receive', '-s', 'rpool/img'], await ok(a, ['zfs', 'send', '-t', t]));
    expect(readZvol(b, 'rpool/img').equals(readZvol(a, 'rpool/img'))).toBe(true);
  });

  it('aborts with -A: the %recv clone, or the new dataset itself', async () => {
    const { a, full } = await source();
    const b = newHost();
    await run(b, ['zfs', 'receive', '-s', 'rpool/new'], full.slice(0, 1000));
    expect(await run(b, ['zfs', 'receive', '-A', 'rpool/new'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect((await run(b, ['zfs', 'list', 'rpool/new'])).exitCode).toBe(1);
    await ok(b, ['zfs', 'receive', 'rpool/img'], full);
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    writeZvol(a, 'rpool/img', 'changed');
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s3']);
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/img@s3']);
    await run(b, ['zfs', 'receive', '-s', 'rpool/img'], incr.slice(0, incr.length - 5));
    await ok(b, ['zfs', 'receive', '-A', 'rpool/img']);
    expect(await token(b, 'rpool/img')).toBe('-');
    expect(await run(b, ['zfs', 'receive', '-A', 'rpool/img'])).toEqual({
      stdout: '',
      stderr: "'rpool/img' does not have any resumable receive state to abort\n",
      exitCode: 1,
    });
    await ok(b, ['zfs', 'receive', 'rpool/img'], incr);
  });

  it('refuses -A with the flags it cannot take, without a newline before the usage', async () => {
    const b = newHost();
    const r = await run(b, ['zfs', 'receive', '-A', '-s', 'rpool/x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.startsWith('invalid optionusage:\n\treceive [-vnsFhu]')).toBe(true);
  });
});

describe('zfs send -t with a token that no longer fits', () => {
  it('names the snapshot that was destroyed, or destroyed and made again', async () => {
    const { a, full } = await source();
    const b = newHost();
    await run(b, ['zfs', 'receive', '-s', 'rpool/copy'], full.slice(0, full.length / 2));
    const t = await token(b, 'rpool/copy');
    await ok(a, ['zfs', 'destroy', 'rpool/img@s1']);
    expect(await run(a, ['zfs', 'send', '-t', t])).toEqual({
      stdout: '',
      stderr: "cannot resume send: 'rpool/img@s1' used in the initial send no longer exists\n",
      exitCode: 1,
    });
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s1']);
    expect((await run(a, ['zfs', 'send', '-t', t])).stderr).toBe(
      "cannot resume send: 'rpool/img@s1' is no longer the same snapshot used in the initial send\n",
    );
  });

  it('says how a token is corrupt', async () => {
    const { a, full } = await source();
    const b = newHost();
    await run(b, ['zfs', 'receive', '-s', 'rpool/copy'], full.slice(0, full.length / 2));
    const t = await token(b, 'rpool/copy');
    const [, sum, len, payload] = t.split('-') as [string, string, string, string];
    const cases: Array<[string, string]> = [
      ['garbage', 'resume token is corrupt (invalid format)'],
      [`2-${sum}-${len}-${payload}`, 'resume token is corrupt (invalid version 2)'],
      [`1-${sum}-${len}-zz${payload}`, 'resume token is corrupt (payload is not hex-encoded)'],
      [`1-${sum}0-${len}-${payload}`, 'resume token is corrupt (incorrect checksum)'],
      [`1-${sum}-${len}0-${payload}`, 'resume token is corrupt (decompression failed)'],
    ];
    for (const [bad, why] of cases) {
      expect(await run(a, ['zfs', 'send', '-t', bad])).toEqual({
        stdout: '',
        stderr: `cannot resume send: ${why}\n`,
        exitCode: 1,
      });
    }
    expect((await run(a, ['zfs', 'send', '-t', t, 'rpool/img@s1'])).stderr).toMatch(
      /^no additional arguments are permitted with -t\nusage:\n/,
    );
    expect((await run(a, ['zfs', 'send', '-R', '-t', t])).stderr).toMatch(
      /^invalid flags combined with -t\nusage:\n/,
    );
  });

  it('refuses a resuming stream where no matching receive was left', async () => {
    const { a, full } = await source();
    const b = newHost();
    await run(b, ['zfs', 'receive', '-s', 'rpool/copy'], full.slice(0, full.length / 2));
    const rest = await ok(a, ['zfs', 'send', '-t', await token(b, 'rpool/copy')]);
    expect((await run(b, ['zfs', 'receive', 'rpool/elsewhere'], rest)).stderr).toBe(
      "cannot receive incremental stream: destination 'rpool/elsewhere' does not exist\n",
    );
    expect((await run(b, ['zfs', 'receive', 'rpool/zones'], rest)).stderr).toBe(
      'cannot receive incremental stream: invalid backup stream\n',
    );
  });
});

describe('a receive whose input is cut by an injected fault', () => {
  it('stdin_bytes makes zfs receive -s see a cut stream, in-process and as a real process', async () => {
    const { a, full } = await source();
    const c = newHost();
    await addFault(c, { match: 'zfs receive *', stdin_bytes: 4000 });
    expect((await run(c, ['zfs', 'receive', 'rpool/copy'], full)).stderr).toBe(
      'cannot receive new filesystem stream: checksum mismatch or incomplete stream\n',
    );
    const b = newHost();
    await addFault(b, { match: 'zfs receive *', stdin_bytes: 4000 });
    const r = await runBin(b, ['zfs', 'receive', '-s', 'rpool/copy'], full);
    expect(r.exitCode).toBe(1);
    const t = await token(b, 'rpool/copy');
    expect(r.stderr).toBe(saved('cannot receive new filesystem stream', t));
    await ok(b, ['zfs', 'receive', '-s', 'rpool/copy'], await ok(a, ['zfs', 'send', '-t', t]));
    expect(readZvol(b, 'rpool/copy').equals(readZvol(a, 'rpool/img'))).toBe(true);
  });
});
