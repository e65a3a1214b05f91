import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newHost, ok, run, runBin } from './helpers.js';

/** zfs send/receive across hosts through stdout and stdin, with volume data and guids. */
describe('zfs send and receive', () => {
  it('copies a volume with its data from one host to another', async () => {
    const a = newHost();
    const b = newHost();
    await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/img']);
    writeFileSync(join(a, 'root', 'dev', 'zvol', 'rdsk', 'rpool', 'img'), 'bootable bytes');
    await ok(a, ['zfs', 'snapshot', 'rpool/img@base']);
    const stream = await runBin(a, ['zfs', 'send', 'rpool/img@base']);
    expect(stream.exitCode).toBe(0);
    expect(stream.stdout.startsWith('APIARY-SIM-ZSTREAM 1\n')).toBe(true);
    const r = await runBin(b, ['zfs', 'receive', 'rpool/copy'], stream.stdout);
    expect(r).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(readFileSync(join(b, 'root', 'dev', 'zvol', 'dsk', 'rpool', 'copy'), 'utf8')).toBe(
      'bootable bytes',
    );
    expect(
      await ok(b, ['zfs', 'list', '-Hpo', 'name,volsize', '-t', 'all', '-r', 'rpool/copy']),
    ).toBe(`rpool/copy\t${2 ** 30}\nrpool/copy@base\t-\n`);
    const guid = async (root: string, ds: string) =>
      (await ok(root, ['zfs', 'get', '-Hpo', 'value', 'guid', ds])).trim();
    expect(await guid(b, 'rpool/copy@base')).toBe(await guid(a, 'rpool/img@base'));
  });

  it('applies an incremental stream only on top of the snapshot it was made from', async () => {
    const a = newHost();
    const b = newHost();
    const dev = join(a, 'root', 'dev', 'zvol', 'rdsk', 'rpool', 'img');
    await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/img']);
    writeFileSync(dev, 'v1');
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s1']);
    writeFileSync(dev, 'v2');
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s2']);
    const incr = await ok(a, ['zfs', 'send', '-i', '@s1', 'rpool/img@s2']);
    expect((await run(b, ['zfs', 'receive', 'rpool/img'], incr)).stderr).toBe(
      "cannot receive incremental stream: destination 'rpool/img' does not exist\n",
    );
    await ok(b, ['zfs', 'receive', 'rpool/img'], await ok(a, ['zfs', 'send', 'rpool/img@s1']));
    await ok(b, ['zfs', 'receive', 'rpool/img'], incr);
    expect(readFileSync(join(b, 'root', 'dev', 'zvol', 'rdsk', 'rpool', 'img'), 'utf8')).toBe('v2');
    expect(await ok(b, ['zfs', 'list', '-Hpo', 'name', '-t', 'snapshot'])).toBe(
      'rpool/img@s1\nrpool/img@s2\n',
    );
  });

  it('refuses an existing destination without -F, garbage, and an empty stream', async () => {
    const a = newHost();
    await ok(a, ['zfs', 'create', '-V', '1G', 'rpool/img']);
    await ok(a, ['zfs', 'snapshot', 'rpool/img@s']);
    const s = await ok(a, ['zfs', 'send', 'rpool/img@s']);
    expect((await run(a, ['zfs', 'receive', 'rpool/img'], s)).stderr).toBe(
      "cannot receive new filesystem stream: destination 'rpool/img' exists\nmust specify -F to overwrite it\n",
    );
    expect((await run(a, ['zfs', 'receive', 'rpool/x'], 'not a stream\n')).stderr).toBe(
      'cannot receive: invalid stream (bad magic number)\n',
    );
    expect((await run(a, ['zfs', 'receive', 'rpool/x'], '')).stderr).toBe(
      'cannot receive: failed to read from stream\n',
    );
    await ok(a, ['zfs', 'receive', '-F', 'rpool/img'], s);
  });

  it('refuses a stream that does not fit in the pool', async () => {
    const a = newHost();
    const b = newHost({ pools: [{ name: 'rpool', size: '1G' }] });
    await ok(a, ['zfs', 'create', 'rpool/big']);
    await ok(a, ['zfs', 'snapshot', 'rpool/big@s']);
    const s = (await ok(a, ['zfs', 'send', 'rpool/big@s'])).replace(
      /"referenced":\d+/,
      `"referenced":${2 ** 31}`,
    );
    expect((await run(b, ['zfs', 'receive', 'rpool/big'], s)).stderr).toBe(
      'cannot receive new filesystem stream: out of space\n',
    );
  });
});
