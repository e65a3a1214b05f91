import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { daemonPid, resumeZoneDaemon, stopZoneDaemon } from '../src/console/daemon-control.js';
import { makeZone, newHost, ok, runBin } from './helpers.js';

/**
 * VNC: a zone with attr vnc=on has an RFB 3.8 server on <zonepath>/root/tmp/vm.vnc while it
 * runs, served by the host's sim-zoneadmd, which goes away when no zone needs it.
 */
const VNC = 'add attr\nset name=vnc\nset type=string\nset value=on\nend\n';

function reader(socket: Socket) {
  let buf = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiters.splice(0)) w();
  });
  return async (n: number): Promise<Buffer> => {
    while (buf.length < n) await new Promise<void>((r) => waiters.push(r));
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
}

describe('VNC console socket', () => {
  it('speaks RFB 3.8 with security None, names the desktop after the zone and sends pixels', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', false, VNC);
    expect((await runBin(root, ['zoneadm', '-z', 'vm1', 'boot'])).exitCode).toBe(0);
    const path = join(root, 'root', 'zones', 'vm1', 'root', 'tmp', 'vm.vnc');
    expect(existsSync(path)).toBe(true);
    const socket = createConnection(path);
    const read = reader(socket);
    expect((await read(12)).toString()).toBe('RFB 003.008\n');
    socket.write('RFB 003.008\n');
    expect([...(await read(2))]).toEqual([1, 1]);
    socket.write(Buffer.from([1]));
    expect((await read(4)).readUInt32BE(0)).toBe(0);
    socket.write(Buffer.from([1]));
    const init = await read(24);
    const [w, h] = [init.readUInt16BE(0), init.readUInt16BE(2)];
    expect(w).toBeGreaterThan(0);
    expect(h).toBeGreaterThan(0);
    expect(init.readUInt8(4)).toBe(32);
    expect((await read(init.readUInt32BE(20))).toString()).toBe('vm1');
    const req = Buffer.alloc(10);
    req.writeUInt8(3, 0);
    req.writeUInt16BE(8, 6);
    req.writeUInt16BE(4, 8);
    socket.write(req);
    const head = await read(16);
    expect(head.readUInt8(0)).toBe(0);
    expect(head.readUInt16BE(2)).toBe(1);
    expect([head.readUInt16BE(8), head.readUInt16BE(10), head.readInt32BE(12)]).toEqual([8, 4, 0]);
    expect((await read(8 * 4 * 4)).length).toBe(128);
    socket.destroy();
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    const deadline = Date.now() + 5000;
    while (existsSync(path) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(path)).toBe(false);
  }, 30_000);

  it('starts no daemon for zones without VNC, and one daemon for several VNC zones', async () => {
    const root = newHost();
    await makeZone(root, 'plain', true);
    expect(daemonPid(root)).toBeUndefined();
    await makeZone(root, 'a', false, VNC);
    await makeZone(root, 'b', false, VNC);
    await runBin(root, ['zoneadm', '-z', 'a', 'boot']);
    const pid = daemonPid(root);
    expect(pid).toBeDefined();
    await runBin(root, ['zoneadm', '-z', 'b', 'boot']);
    expect(daemonPid(root)).toBe(pid);
    expect(existsSync(join(root, 'root', 'zones', 'b', 'root', 'tmp', 'vm.vnc'))).toBe(true);
    expect(Number(readFileSync(join(root, 'sim-zoneadmd.pid'), 'utf8'))).toBe(pid);
    expect(await stopZoneDaemon(root)).toBe(true);
    expect(daemonPid(root)).toBeUndefined();
  }, 30_000);

  it('resumes serving running zones after its daemon was stopped, and starts none when no zone needs it', async () => {
    const root = newHost();
    await makeZone(root, 'plain', true);
    expect(await resumeZoneDaemon(root)).toBe(false);
    expect(daemonPid(root)).toBeUndefined();
    await makeZone(root, 'a', true, VNC);
    expect(await stopZoneDaemon(root)).toBe(true);
    const path = join(root, 'root', 'zones', 'a', 'root', 'tmp', 'vm.vnc');
    expect(await resumeZoneDaemon(root)).toBe(true);
    expect(daemonPid(root)).toBeDefined();
    const socket = createConnection(path);
    expect((await reader(socket)(12)).toString()).toBe('RFB 003.008\n');
    socket.destroy();
    // A second call finds the daemon alive and starts no other.
    const pid = daemonPid(root);
    expect(await resumeZoneDaemon(root)).toBe(true);
    expect(daemonPid(root)).toBe(pid);
  }, 30_000);

  it('exits by itself when the last VNC zone halts', async () => {
    const root = newHost();
    await makeZone(root, 'a', false, VNC);
    await runBin(root, ['zoneadm', '-z', 'a', 'boot']);
    const pid = daemonPid(root)!;
    await ok(root, ['zoneadm', '-z', 'a', 'halt']);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);

  it('exits when its host directory is deleted, and in-process boots start it too', async () => {
    const root = newHost();
    await makeZone(root, 'a', true, VNC);
    const pid = daemonPid(root)!;
    expect(pid).toBeDefined();
    rmSync(root, { recursive: true, force: true });
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});
