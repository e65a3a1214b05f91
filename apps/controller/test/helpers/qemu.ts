import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** A raw disk of `bytes` whose every 512-byte sector says where it is (so mix-ups show). */
export function patternedDisk(bytes: number): Buffer {
  const disk = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += 512 * 7) disk.write(`sector ${at / 512} `, at);
  return disk;
}

/** `qemu-img convert -O qcow2` of `raw` in `dir`: the qcow2's bytes. */
export async function qcow2Of(dir: string, raw: Buffer): Promise<Buffer> {
  const rawPath = join(dir, 'made.raw');
  const qcowPath = join(dir, 'made.qcow2');
  writeFileSync(rawPath, raw);
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', rawPath, qcowPath]);
  return readFileSync(qcowPath);
}

/** `qemu-img create -f qcow2` of a disk of `size` (`10G`), with a backing file when given. */
export async function emptyQcow2(dir: string, size: string, backing?: string): Promise<Buffer> {
  const path = join(dir, `empty-${size}.qcow2`);
  const args = ['create', '-f', 'qcow2'];
  if (backing) args.push('-b', backing, '-F', 'raw');
  await execa('qemu-img', [...args, path, size]);
  return readFileSync(path);
}
