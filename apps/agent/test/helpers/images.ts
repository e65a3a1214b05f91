import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, initHost } from '@apiary/illumos-sim';
import { tempDir } from './temp.js';

/**
 * A bhyve image as OmniOS boxes carry it: a `zfs send` stream of a volume snapshot, made on a
 * separate simulated "builder" host so the agent receives a stream it did not produce.
 */
export function buildZfsImage(options: { sizeBytes?: number; content?: string } = {}) {
  const dir = tempDir('image');
  const root = join(dir, 'builder');
  initHost(root, {});
  const env = { ...process.env, ILLUMOS_SIM_ROOT: root };
  const zfs = (...args: string[]) =>
    execFileSync(join(binDir(), 'zfs'), args, { env, encoding: 'buffer', maxBuffer: 1 << 30 });
  zfs('create', '-V', String(options.sizeBytes ?? 1024 * 1024 * 1024), 'rpool/box');
  writeFileSync(
    join(root, 'root', 'dev', 'zvol', 'dsk', 'rpool', 'box'),
    options.content ?? 'bootable disk\n',
  );
  zfs('snapshot', 'rpool/box@v1');
  const stream = zfs('send', 'rpool/box@v1');
  const digest = `sha256:${createHash('sha256').update(stream).digest('hex')}`;
  return { stream, digest };
}
