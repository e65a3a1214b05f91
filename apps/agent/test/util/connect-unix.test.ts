import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectUnix } from '../../src/util/connect-unix.js';
import { onCleanup, tempDir } from '../helpers/temp.js';

/** A server on `dir/name`, bound from inside `dir` (its full path may be too long to bind). */
function listenIn(dir: string, name: string): Promise<Server> {
  const server = createServer((socket) => socket.end('RFB 003.008\n'));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    server.listen(name);
  } finally {
    process.chdir(cwd);
  }
  onCleanup(() => new Promise((r) => server.close(r)));
  return new Promise((resolve) => server.once('listening', () => resolve(server)));
}

function readAll(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connectUnix(path);
    socket.on('data', (d) => {
      text += d;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('connectUnix', () => {
  it('connects by path when the path fits a socket address', async () => {
    const dir = tempDir('sock');
    await listenIn(dir, 'vm.vnc');
    expect(await readAll(join(dir, 'vm.vnc'))).toBe('RFB 003.008\n');
  });

  it('connects to a socket whose path is longer than a socket address holds', async () => {
    const deep = join(tempDir('sock'), 'zones', 'a'.repeat(60), 'root', 'b'.repeat(40), 'tmp');
    mkdirSync(deep, { recursive: true });
    await listenIn(deep, 'vm.vnc');
    const path = join(deep, 'vm.vnc');
    expect(Buffer.byteLength(path)).toBeGreaterThan(108);
    const cwd = process.cwd();
    expect(await readAll(path)).toBe('RFB 003.008\n');
    expect(process.cwd()).toBe(cwd);
  });

  it('fails with ENOENT, not a path-length error, when nothing listens there', async () => {
    const deep = join(tempDir('sock'), 'c'.repeat(120));
    mkdirSync(deep, { recursive: true });
    await expect(readAll(join(deep, 'vm.vnc'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
