import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { silentLogger } from '@apiary/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { serialSession } from '../src/console/serial-session.js';
import { vncSession } from '../src/console/vnc-session.js';
import type { HostExec } from '../src/host/exec.js';
import { createLayout } from '../src/host/layout.js';
import type { VmRow } from '../src/vms/vm-store.js';
import { tempDir } from './helpers/temp.js';

/*
 * A console client that does not read must not make the agent buffer what the VM sends: the
 * agent stops reading the pty (serial) or the zone's VNC socket while the websocket is backed
 * up, and every byte still arrives once the client reads again. Real sessions on a real
 * websocket; the VM's side is a process flooding its terminal, or a unix socket server.
 */

const VM = { id: 'bp-0' } as VmRow;
const TOTAL = 32 * 1024 * 1024;
/** What the agent may hold for one console: its high-water mark plus a read or two. */
const AGENT_BOUND = 2 * 1024 * 1024;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

type Session = (ws: WebSocket, vm: VmRow, log: ReturnType<typeof silentLogger>) => void;

/** A websocket server running `session`; resolves with a paused client and the agent's side. */
async function pausedClient(session: Session) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  const agentSide = new Promise<WebSocket>((resolve) =>
    wss.once('connection', (ws) => {
      session(ws, VM, silentLogger());
      resolve(ws);
    }),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  let received = 0;
  client.on('message', (d: Buffer) => {
    received += d.length;
  });
  const closed = new Promise<number>((r) => client.once('close', (code) => r(code)));
  await new Promise((r) => client.once('open', r));
  client.pause();
  cleanups.push(() => {
    client.terminate();
    wss.close();
  });
  return { client, agent: await agentSide, received: () => received, closed };
}

/** The largest `bufferedAmount` of `ws` seen over `ms`. */
async function peakBuffered(ws: WebSocket, ms: number): Promise<number> {
  let peak = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    peak = Math.max(peak, ws.bufferedAmount);
    await new Promise((r) => setTimeout(r, 20));
  }
  return peak;
}

describe('console backpressure in the agent', () => {
  it('stops reading the VNC socket while the client does not read, then delivers every byte', async () => {
    const root = tempDir('bp-vnc');
    const layout = createLayout({
      pool: 'rpool',
      zonesDir: '/zones',
      hostRoot: root,
      natSubnet: '10.213.0.0/16',
      externalLink: 'e1000g0',
    });
    const path = layout.real(`${layout.zonepath(VM.id)}/root/tmp/vm.vnc`);
    mkdirSync(join(path, '..'), { recursive: true });
    // bhyve's side: writes TOTAL bytes as fast as the agent takes them.
    const bhyve = createServer((socket) => {
      const chunk = Buffer.alloc(64 * 1024, 7);
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    await new Promise<void>((r) => bhyve.listen(path, r));
    cleanups.push(() => bhyve.close());

    const c = await pausedClient(vncSession(layout));
    expect(await peakBuffered(c.agent, 1000)).toBeLessThan(AGENT_BOUND);
    c.client.resume();
    await expect.poll(c.received, { timeout: 30_000 }).toBe(TOTAL);
    expect(await c.closed).toBe(1000);
  });

  it('stops reading the serial console pty while the client does not read, then delivers every byte', async () => {
    const dir = tempDir('bp-serial');
    // zlogin's stand-in: prints TOTAL bytes to its terminal (no newlines: nothing translated).
    const flood = join(dir, 'flood.cjs');
    writeFileSync(
      flood,
      `const chunk = Buffer.alloc(64 * 1024, 120); let sent = 0;
       const pump = () => { while (sent < ${TOTAL}) { sent += chunk.length;
         if (!process.stdout.write(chunk)) return void process.stdout.once('drain', pump); }
         setTimeout(() => process.exit(0), 200); };
       pump();`,
    );
    const exec: HostExec = {
      resolve: () => [process.execPath, flood],
      run: () => Promise.reject(new Error('not used')),
      pipe: () => Promise.reject(new Error('not used')),
    };
    const c = await pausedClient(serialSession(exec, { PATH: process.env.PATH ?? '' }));
    expect(await peakBuffered(c.agent, 1500)).toBeLessThan(AGENT_BOUND);
    c.client.resume();
    await expect.poll(c.received, { timeout: 30_000 }).toBe(TOTAL);
    expect(await c.closed).toBe(1000);
  });
});
