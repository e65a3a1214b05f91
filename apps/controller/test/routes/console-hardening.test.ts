import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { ConsoleTicket } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import { ConsoleAgent } from '../helpers/console-agent.js';
import { openConsole } from '../helpers/console-client.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';
import { serveCore } from '../helpers/serve-core.js';

/*
 * The console websocket against hostile or unlucky clients: tickets raced, malformed requests,
 * clients that break the protocol on a refused console, clients that leave mid-dial.
 */

const AGENT_KEY = `wh_${'cd'.repeat(32)}`;
const VM = 'hard-0';

let cleanups: Array<() => Promise<void>> = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
  process.off('uncaughtException', onCrash);
  crashes.length = 0;
});

async function setup(o: { config?: Partial<ControllerConfig> } = {}) {
  const h: Harness = await createHarness({ config: o.config });
  const agent = new ConsoleAgent(AGENT_KEY);
  const addr = await agent.start();
  await h.addAgent({ hostId: 'host_console00000002', key: AGENT_KEY, addr });
  await uploadImage(h, 'box');
  const created = await h.req('POST', '/v1/envs', {
    id: 'hard',
    ssh_keys: [sshKey()],
    vms: [{ image: 'box' }],
  });
  expect(created.status).toBe(202);
  await h.idle();
  const served = await serveCore(h.core);
  cleanups.push(
    () => served.close(),
    () => agent.stop(),
    () => h.close(),
  );
  const ticket = async (kind: 'serial' | 'vnc' = 'serial') => {
    const res = await h.req('POST', `/v1/vms/${VM}/console`, { kind });
    expect(res.status).toBe(201);
    return json<ConsoleTicket>(res);
  };
  const port = Number(new URL(served.url).port);
  return { h, agent, url: served.url, port, ticket };
}

/** A websocket handshake written by hand, so the client can then break the protocol. */
function rawHandshake(port: number, target: string): Promise<{ socket: Socket; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    socket.on('error', reject);
    // Closed without an answer (or before the head was complete): resolve with what came.
    socket.on('close', () => resolve({ socket, head }));
    socket.on('data', function onData(chunk) {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve({ socket, head });
    });
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\n` +
        `Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
  });
}

describe('console tickets under concurrent use', () => {
  it('opens exactly one console when two websockets race with the same ticket', async () => {
    const s = await setup();
    const t = await s.ticket();
    const url = `${s.url.replace(/^http/, 'ws')}${t.url}`;
    const results = await Promise.all([openConsole(url).opened, openConsole(url).opened]);
    expect(results.sort()).toEqual([401, 'open']);
    expect(s.agent.upgrades).toHaveLength(1);
  });
});

describe('bad ticket requests', () => {
  it('answers 400 for a VM id outside the zone-name grammar, and issues nothing', async () => {
    const s = await setup();
    for (const id of ['a%3Bb', 'UPPER', 'global', `${'a'.repeat(49)}`]) {
      const res = await s.h.req('POST', `/v1/vms/${id}/console`, { kind: 'serial' });
      expect(res.status, id).toBe(400);
    }
    const extra = await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'serial', vm: 'x' });
    expect(extra.status).toBe(400);
    expect(await s.h.core.ctx.consoleTickets.count()).toBe(0);
  });
});

describe('hostile console clients', () => {
  it('survives a client that sends a malformed frame to a refused console', async () => {
    process.on('uncaughtException', onCrash);
    const s = await setup();
    const t = await s.ticket();
    // Refused after the ticket: the client is upgraded only to read a close frame.
    s.agent.refuseWith = 409;
    const { socket, head } = await rawHandshake(s.port, t.url);
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    // An unmasked text frame: every client frame must be masked (RFC 6455 5.1).
    socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(crashes).toEqual([]);
    expect((await fetch(`${s.url}/v1/health`)).status).toBe(200);
  });

  it('answers a malformed request target with 400 before any upgrade', async () => {
    const s = await setup();
    const { socket, head } = await rawHandshake(s.port, '//');
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(s.h.logLines.join('\n')).not.toContain('"level":"error"');
  });
});

describe('clients that leave early', () => {
  it('hangs up on the agent when the client leaves before the agent answered', async () => {
    const s = await setup({ config: { agentTimeoutMs: 30_000 } });
    s.agent.stall = true;
    const t = await s.ticket();
    const socket = connect(s.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      `GET ${t.url} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
    );
    await expect.poll(() => s.agent.upgrades.length).toBe(1);
    const agentSide = (s.agent as unknown as { stalled: Socket[] }).stalled[0];
    if (!agentSide) throw new Error('no stalled upgrade');
    socket.destroy();
    // Read the agent's side so that its end is seen (an upgrade socket is not read by itself):
    // the controller hangs up on the agent.
    const agentEnded = new Promise<void>((resolve) => agentSide.once('end', () => resolve()));
    agentSide.resume();
    await agentEnded;
  });
});

describe('open consoles of a revoked credential', () => {
  it('ends the consoles of a revoked API key at the next check, and leaves the others open', async () => {
    const s = await setup();
    const key = await json<{ id: string; key: string }>(
      await s.h.req('POST', '/v1/api-keys', { name: 'soon revoked' }),
    );
    const res = await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'serial' }, key.key);
    expect(res.status).toBe(201);
    const base = s.url.replace(/^http/, 'ws');
    const revoked = openConsole(`${base}${(await json<ConsoleTicket>(res)).url}`);
    // One after the other: the agent's first socket is the revoked console's.
    await revoked.until('login: ');
    const kept = openConsole(`${base}${(await s.ticket()).url}`);
    await kept.until('login: ');
    expect((await s.h.req('DELETE', `/v1/api-keys/${key.id}`)).status).toBeLessThan(300);
    await s.h.core.checkConsoles();
    expect(await revoked.closed).toEqual({
      code: 4401,
      reason: 'the credential this console was opened with was revoked or has expired',
    });
    await expect.poll(() => s.agent.sockets[0]?.readyState).toBe(3);
    expect(kept.ws.readyState).toBe(1);
    await expect
      .poll(() => s.h.core.ctx.metrics.registry.metrics())
      .toContain('apiary_console_sessions 1');
  });
});

describe('an agent that goes away', () => {
  it('closes the client with 4502 when the connection to the agent drops without a close frame', async () => {
    const s = await setup();
    const c = openConsole(`${s.url.replace(/^http/, 'ws')}${(await s.ticket()).url}`);
    await c.until('login: ');
    // The agent process dies: its TCP connection ends with no websocket close.
    s.agent.sockets[0]?.terminate();
    expect(await c.closed).toEqual({ code: 4502, reason: 'connection to the host was lost' });
    await expect
      .poll(() => s.h.core.ctx.metrics.registry.metrics())
      .toContain('apiary_console_sessions 0');
  });
});
