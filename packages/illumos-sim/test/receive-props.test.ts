import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newHost, ok, run } from './helpers.js';

/**
 * zfs receive -u, -o property=value and -x property (OmniOS's zfs_do_receive and
 * libzfs_sendrecv.c: zfs_receive_checkprops, zfs_setup_cmdline_props): what an image import
 * uses to keep a received dataset from being mounted or from taking the sender's settings.
 */
async function fsImage(): Promise<string> {
  const a = newHost();
  await ok(a, [
    'zfs',
    'create',
    '-o',
    'mountpoint=/export/img',
    '-o',
    'compression=lz4',
    'rpool/img',
  ]);
  await ok(a, ['zfs', 'set', 'apiary:origin=builder', 'rpool/img']);
  await ok(a, ['zfs', 'snapshot', 'rpool/img@s']);
  return a;
}

const props = async (root: string, ds: string, list: string) =>
  ok(root, ['zfs', 'get', '-Ho', 'property,value,source', list, ds]);

describe('zfs receive -u', () => {
  it('leaves a received file system unmounted; without it the file system is mounted', async () => {
    const a = await fsImage();
    const stream = await ok(a, ['zfs', 'send', 'rpool/img@s']);
    const b = newHost();
    await ok(b, ['zfs', 'receive', '-u', 'rpool/quiet'], stream);
    expect(await props(b, 'rpool/quiet', 'mounted')).toBe('mounted\tno\t-\n');
    expect(existsSync(join(b, 'root', 'rpool', 'quiet'))).toBe(false);
    await ok(b, ['zfs', 'receive', 'rpool/loud'], stream);
    expect(await props(b, 'rpool/loud', 'mounted')).toBe('mounted\tyes\t-\n');
    expect(existsSync(join(b, 'root', 'rpool', 'loud'))).toBe(true);
  });
});

describe('zfs send -p | zfs receive -o / -x', () => {
  it('receives the sender’s properties as received ones', async () => {
    const a = await fsImage();
    const b = newHost();
    await ok(
      b,
      ['zfs', 'receive', '-u', 'rpool/copy'],
      await ok(a, ['zfs', 'send', '-p', 'rpool/img@s']),
    );
    expect(await props(b, 'rpool/copy', 'mountpoint,compression,apiary:origin')).toBe(
      'mountpoint\t/export/img\treceived\ncompression\tlz4\treceived\napiary:origin\tbuilder\treceived\n',
    );
  });

  it('sets -o locally and keeps -x from taking effect', async () => {
    const a = await fsImage();
    const b = newHost();
    const r = await run(
      b,
      [
        'zfs',
        'receive',
        '-u',
        '-o',
        'readonly=on',
        '-o',
        'mountpoint=/images/x',
        '-x',
        'compression',
        '-x',
        'apiary:origin',
        'rpool/copy',
      ],
      await ok(a, ['zfs', 'send', '-p', 'rpool/img@s']),
    );
    expect(r).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(await props(b, 'rpool/copy', 'readonly,mountpoint,compression,apiary:origin')).toBe(
      'readonly\ton\tlocal\nmountpoint\t/images/x\tlocal\ncompression\toff\tdefault\napiary:origin\t-\t-\n',
    );
  });

  it('refuses read-only, set-once and unknown properties before reading the stream', async () => {
    const b = newHost();
    for (const [flag, arg, name] of [
      ['-o', 'volsize=1G', 'volsize'],
      ['-o', 'used=1', 'used'],
      ['-o', 'volblocksize=16K', 'volblocksize'],
      ['-x', 'bogus', 'bogus'],
    ] as const) {
      expect(await run(b, ['zfs', 'receive', flag, arg, 'rpool/copy'], '')).toEqual({
        stdout: '',
        stderr: `cannot receive: invalid property '${name}'\n`,
        exitCode: 1,
      });
    }
  });

  it('refuses a property that does not apply to the stream’s dataset type', async () => {
    const a = newHost();
    await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/vol']);
    await ok(a, ['zfs', 'snapshot', 'rpool/vol@s']);
    const b = newHost();
    expect(
      (
        await run(
          b,
          ['zfs', 'receive', '-o', 'atime=off', 'rpool/vol'],
          await ok(a, ['zfs', 'send', 'rpool/vol@s']),
        )
      ).stderr,
    ).toBe(
      "cannot receive new filesystem stream: property 'atime' does not apply to datasets of this type\n",
    );
  });

  it('prints the value check and then invalid property value for a bad -o value', async () => {
    const a = await fsImage();
    const b = newHost();
    expect(
      (
        await run(
          b,
          ['zfs', 'receive', '-o', 'compression=fast', 'rpool/c'],
          await ok(a, ['zfs', 'send', 'rpool/img@s']),
        )
      ).stderr,
    ).toBe(
      "cannot receive new filesystem stream: 'compression' must be one of 'on | off | lzjb | gzip | gzip-1 | gzip-2 | gzip-3 | gzip-4 | gzip-5 | gzip-6 | gzip-7 | gzip-8 | gzip-9 | zle | lz4 | zstd'\ncannot receive new filesystem stream: invalid property value\n",
    );
  });

  it('sends argument mistakes to usage, exit 2', async () => {
    const b = newHost();
    for (const [args, message] of [
      [['-o', 'readonly'], "missing '=' for property=value argument"],
      [['-x', 'readonly=on'], "invalid character '=' in property argument"],
      [['-o', 'readonly=on', '-x', 'readonly'], "property 'readonly' specified multiple times"],
    ] as const) {
      const r = await run(b, ['zfs', 'receive', ...args, 'rpool/c']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.startsWith(`${message}\nusage:\n\treceive [-vnsFhu]`)).toBe(true);
    }
  });

  it('applies -o to the top of a -R stream and lets the children inherit it', async () => {
    const a = await fsImage();
    await ok(a, ['zfs', 'create', '-o', 'readonly=off', 'rpool/img/child']);
    await ok(a, ['zfs', 'snapshot', '-r', 'rpool/img@r']);
    const b = newHost();
    await ok(
      b,
      ['zfs', 'receive', '-u', '-o', 'readonly=on', 'rpool/tree'],
      await ok(a, ['zfs', 'send', '-R', 'rpool/img@r']),
    );
    // the child's own readonly=off came in the stream; -o makes it inherit the top's value
    expect(
      await ok(b, [
        'zfs',
        'get',
        '-Hro',
        'name,value,source',
        '-t',
        'filesystem',
        'readonly',
        'rpool/tree',
      ]),
    ).toBe('rpool/tree\ton\tlocal\nrpool/tree/child\ton\tinherited from rpool/tree\n');
  });
});
