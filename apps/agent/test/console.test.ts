import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiKey } from '../src/auth/api-keys.js';
import { buildZfsImage } from './helpers/images.js';
import { serveAgent } from './helpers/serve.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

const image = buildZfsImage();
let t: SimAgent;
let addr: string;

beforeAll(async () => {
  t = await simAgent();
  addr = await serveAgent(t.agent);
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.createVm({ body: { id: 'con-0', env_id: 'con', image: 'box' } });
  await t.settle();
});

function open(path: string, key = t.key) {
  const ws = new WebSocket(`ws://${addr}${path}`, { headers: { authorization: `Bearer ${key}` } });
  let received = '';
  ws.on('message', (d: Buffer) => {
    received += d.toString('latin1');
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const until = async (text: string, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!received.includes(text)) {
      if (Date.now() > end)
        throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(received)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  return { ws, opened, until, closed, text: () => received };
}

describe('serial console websocket', () => {
  it('attaches to the zone console through zlogin -C and relays keystrokes', async () => {
    const c = open('/api/vms/con-0/console');
    await c.opened;
    await c.until("[Connected to zone 'con-0' console]");
    c.ws.send('\r');
    await c.until('con-0 console login:');
    c.ws.send('root\r');
    await c.until('Password:');
    c.ws.close();
    await c.closed;
  }, 30_000);

  it('frees the console when the client goes, so the next one can attach', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const c = open('/api/vms/con-0/console');
    await c.opened;
    await c.until("[Connected to zone 'con-0' console]");
    c.ws.close();
    await c.closed;
  }, 30_000);

  it('refuses without a key, with a viewer key, and for an unknown VM', async () => {
    await expect(open('/api/vms/con-0/console', 'wh_nope').opened).rejects.toThrow('HTTP 401');
    const viewer = createApiKey(t.agent.db, { name: 'v', role: 'viewer' }).key;
    await expect(open('/api/vms/con-0/console', viewer).opened).rejects.toThrow('HTTP 403');
    await expect(open('/api/vms/nope-0/console').opened).rejects.toThrow('HTTP 404');
    await expect(open('/api/vms/a%3Bb/console').opened).rejects.toThrow('HTTP 400');
  });
});

describe('VNC websocket', () => {
  it('bridges to the zone VNC socket (RFB handshake)', async () => {
    const c = open('/api/vms/con-0/vnc');
    await c.opened;
    await c.until('RFB 003.');
    c.ws.close();
    await c.closed;
  }, 30_000);
});
