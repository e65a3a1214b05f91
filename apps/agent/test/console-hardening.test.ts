import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildZfsImage } from './helpers/images.js';
import { serveAgent } from './helpers/serve.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * The agent's console websockets against hostile or unlucky clients: malformed upgrades
 * (anonymous ones included), clients that break the websocket protocol, two clients on one
 * serial console (zlogin -C serves one), and a client that reattaches at once.
 */

const image = buildZfsImage();
let t: SimAgent;
let addr: string;
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  t = await simAgent();
  addr = await serveAgent(t.agent);
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.createVm({ body: { id: 'hard-0', env_id: 'hard', image: 'box' } });
  await t.settle();
});
afterAll(() => {
  process.off('uncaughtException', onCrash);
});
afterEach(() => {
  expect(crashes.splice(0)).toEqual([]);
});

/** A websocket handshake written by hand; resolves with the response head (or '' if none). */
function rawUpgrade(hostPort: string, target: string, headers = ''): Promise<string> {
  const [host, port] = hostPort.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), host);
    let head = '';
    socket.on('error', reject);
    socket.on('close', () => resolve(head));
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) socket.destroy();
    });
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: ${hostPort}\r\nConnection: Upgrade\r\n` +
        `Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n${headers}\r\n`,
    );
  });
}

function open(path: string) {
  const ws = new WebSocket(`ws://${addr}${path}`, {
    headers: { authorization: `Bearer ${t.key}` },
  });
  let received = '';
  ws.on('message', (d: Buffer) => {
    received += d.toString('latin1');
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const until = async (text: string, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!received.includes(text)) {
      if (Date.now() > end)
        throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { ws, opened, closed, until, text: () => received };
}

describe('malformed console upgrades', () => {
  it('answers a percent-encoding that does not decode with 400', async () => {
    const head = await rawUpgrade(
      addr,
      '/api/vms/%E0%A4%A/console',
      `Authorization: Bearer ${t.key}\r\n`,
    );
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('survives a client that sends a frame over the size limit on an open console', async () => {
    const c = open('/api/vms/hard-0/vnc');
    await c.opened;
    await c.until('RFB 003.');
    c.ws.send(Buffer.alloc(1024 * 1024 + 1));
    expect((await c.closed).code).toBe(1009);
    const again = open('/api/vms/hard-0/vnc');
    await again.opened;
    await again.until('RFB 003.');
    again.ws.close();
    await again.closed;
  });
});

describe('the agent program', () => {
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'apiary-agent-upgrade-'));
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers an anonymous upgrade of a request target that is no URL with 400, and keeps running', async () => {
    const bin = join(import.meta.dirname, '..', 'bin', 'apiary-agent.js');
    const proc = spawn(process.execPath, [bin, '--listen', '127.0.0.1:0', '--data-dir', dir]);
    child = proc;
    let out = '';
    const base = await new Promise<string>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"addr":"([^"]+)"/.exec(out);
        if (match) resolve(match[1] as string);
      });
      proc.on('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
    });
    expect(await rawUpgrade(base, '//')).toMatch(/^HTTP\/1\.1 400 /);
    expect(proc.exitCode).toBeNull();
    expect((await fetch(`http://${base}/api/health`)).status).toBe(200);
  });
});

describe('two clients on one serial console', () => {
  it('refuses a second client with 4409 while the first is attached, and the first keeps working', async () => {
    const first = open('/api/vms/hard-0/console');
    await first.opened;
    await first.until("[Connected to zone 'hard-0' console]");
    const second = open('/api/vms/hard-0/console');
    expect(await second.closed).toEqual({
      code: 4409,
      reason: 'the serial console of hard-0 is in use by another client',
    });
    first.ws.send('\r');
    await first.until('hard-0 console login:');
    first.ws.close();
    await first.closed;
  }, 30_000);

  it('gives the console to a client that reattaches right after the previous one left', async () => {
    const first = open('/api/vms/hard-0/console');
    await first.opened;
    await first.until("[Connected to zone 'hard-0' console]");
    first.ws.close();
    await first.closed;
    // No pause: the previous zlogin may still be on its way out.
    const next = open('/api/vms/hard-0/console');
    await next.opened;
    await next.until("[Connected to zone 'hard-0' console]");
    expect(next.text()).not.toContain('already in use');
    next.ws.send('\r');
    await next.until('hard-0 console login:');
    next.ws.close();
    await next.closed;
  }, 30_000);
});
