import type { ConsoleTicket } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControllerConfig } from '../../src/config.js';
import { ConsoleAgent } from '../helpers/console-agent.js';
import { openConsole } from '../helpers/console-client.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';
import { serveCore } from '../helpers/serve-core.js';

/*
 * Console tickets and the console websocket proxy: the real controller app and upgrade handler
 * on a real HTTP server, an in-process fake agent for the JSON API, and a real websocket server
 * playing the agent's console endpoints.
 */

const AGENT_KEY = `wh_${'ab'.repeat(32)}`;
const VM = 'con-0';

interface Setup {
  h: Harness;
  agent: ConsoleAgent;
  url: string;
  ticket(kind?: 'serial' | 'vnc', token?: string): Promise<ConsoleTicket>;
  socketUrl(t: ConsoleTicket): string;
}

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(
  o: { manualClock?: boolean; config?: Partial<ControllerConfig> } = {},
): Promise<Setup> {
  const h = await createHarness({ manualClock: o.manualClock, config: o.config });
  const agent = new ConsoleAgent(AGENT_KEY);
  const addr = await agent.start();
  await h.addAgent({ hostId: 'host_console00000001', key: AGENT_KEY, addr });
  await uploadImage(h, 'box');
  const created = await h.req('POST', '/v1/envs', {
    id: 'con',
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
  return {
    h,
    agent,
    url: served.url,
    async ticket(kind = 'serial', token) {
      const res = await h.req('POST', `/v1/vms/${VM}/console`, { kind }, token);
      expect(res.status).toBe(201);
      return json<ConsoleTicket>(res);
    },
    socketUrl: (t) => `${served.url.replace(/^http/, 'ws')}${t.url}`,
  };
}

describe('POST /v1/vms/{id}/console', () => {
  it('issues a short-lived ticket whose url is a path on the controller, with no API key in it', async () => {
    const s = await setup({ manualClock: true });
    const t = await s.ticket('serial');
    expect(t.ticket).toMatch(/^apt_[a-z2-7]{40}$/);
    expect(t.url).toBe(`/v1/console?ticket=${t.ticket}`);
    expect(t.url).not.toContain(s.h.adminKey);
    expect(t.url).not.toMatch(/apy_|aps_|wh_/);
    expect(Date.parse(t.expires_at) - (s.h.clock?.now() ?? 0)).toBe(60_000);
    const viaApi = await s.h.req('POST', `/api/vms/${VM}/console`, { kind: 'vnc' });
    expect(viaApi.status).toBe(201);
    // The ticket is a secret: no log line carries it.
    expect(s.h.logLines.join('\n')).not.toContain(t.ticket);
  });

  it('answers 401 without a credential, 404 for a missing VM and 400 for an unknown kind', async () => {
    const s = await setup();
    expect((await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'serial' }, null)).status).toBe(
      401,
    );
    expect((await s.h.req('POST', '/v1/vms/nope-0/console', { kind: 'serial' })).status).toBe(404);
    const bad = await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'rdp' });
    expect(bad.status).toBe(400);
    expect(await s.h.core.ctx.consoleTickets.count()).toBe(0);
  });

  it("answers 404 for another organization's VM, exactly like a missing one", async () => {
    const s = await setup();
    const org = await json<{ id: string }>(await s.h.req('POST', '/v1/orgs', { name: 'Other' }));
    await s.h.req('POST', '/v1/users', {
      username: 'mallory',
      password: 'a long password 123',
      role: 'org_admin',
      org_id: org.id,
    });
    const login = await json<{ token: string }>(
      await s.h.req(
        'POST',
        '/v1/auth/login',
        { username: 'mallory', password: 'a long password 123' },
        null,
      ),
    );
    const res = await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'serial' }, login.token);
    expect(res.status).toBe(404);
    expect((await json<{ msg: string }>(res)).msg).toBe(`VM ${VM} not found`);
  });

  it('refuses a stopped VM with 409 and says what state a console needs', async () => {
    const s = await setup();
    expect((await s.h.req('POST', `/v1/vms/${VM}/stop`)).status).toBe(202);
    await s.h.idle();
    const res = await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'vnc' });
    expect(res.status).toBe(409);
    expect((await json<{ msg: string }>(res)).msg).toMatch(
      /is stopped: the vnc console needs it running/,
    );
  });

  it('refuses more than 32 unused tickets per caller with 429', async () => {
    const s = await setup();
    for (let i = 0; i < 32; i++) await s.ticket();
    const res = await s.h.req('POST', `/v1/vms/${VM}/console`, { kind: 'serial' });
    expect(res.status).toBe(429);
  });
});

describe('the console websocket', () => {
  it('relays the serial console both ways, presenting the agent key only to the agent', async () => {
    const s = await setup();
    const t = await s.ticket('serial');
    const c = openConsole(s.socketUrl(t));
    expect(await c.opened).toBe('open');
    await c.until(`${await s.h.zoneOf(VM)} console login: `);
    c.ws.send(Buffer.from('root\r'));
    await c.until('root\r');
    expect(s.agent.received[0]).toBe('root\r');
    const [upgrade] = s.agent.upgrades;
    // The agent is asked for the VM by its internal id, its zone name.
    expect(upgrade?.path).toBe(`/api/vms/${await s.h.zoneOf(VM)}/console`);
    expect(upgrade?.authorization).toBe(`Bearer ${AGENT_KEY}`);
    expect(upgrade?.requestId).toMatch(/^req_/);
    c.ws.close(1000, 'bye');
    await c.closed;
    const lines = s.h.logLines.join('\n');
    expect(lines).toContain('"msg":"console session closed"');
    expect(lines).not.toContain(t.ticket);
    expect(lines).not.toContain(AGENT_KEY);
  });

  it('relays the VNC stream (the RFB greeting comes through unchanged)', async () => {
    const s = await setup();
    const c = openConsole(s.socketUrl(await s.ticket('vnc')));
    expect(await c.opened).toBe('open');
    await c.until('RFB 003.008\n');
    expect(s.agent.upgrades[0]?.path).toBe(`/api/vms/${await s.h.zoneOf(VM)}/vnc`);
  });

  it('accepts a ticket once: a second websocket with it gets 401', async () => {
    const s = await setup();
    const t = await s.ticket();
    expect(await openConsole(s.socketUrl(t)).opened).toBe('open');
    expect(await openConsole(s.socketUrl(t)).opened).toBe(401);
    expect(s.agent.upgrades).toHaveLength(1);
  });

  it('refuses an expired ticket with 401 and never dials the agent', async () => {
    const s = await setup({ manualClock: true });
    const t = await s.ticket();
    s.h.clock?.advance(60_001);
    expect(await openConsole(s.socketUrl(t)).opened).toBe(401);
    expect(s.agent.upgrades).toHaveLength(0);
  });

  it('refuses a made-up, missing or API-key ticket with 401, and unknown paths with 404', async () => {
    const s = await setup();
    const base = s.url.replace(/^http/, 'ws');
    expect(await openConsole(`${base}/v1/console?ticket=apt_${'a'.repeat(40)}`).opened).toBe(401);
    expect(await openConsole(`${base}/v1/console`).opened).toBe(401);
    expect(await openConsole(`${base}/v1/console?ticket=${s.h.adminKey}`).opened).toBe(401);
    expect(await openConsole(`${base}/v1/nothing-here`).opened).toBe(404);
    expect(s.agent.upgrades).toHaveLength(0);
  });

  it('refuses a ticket whose API key was revoked after it was issued', async () => {
    const s = await setup();
    const key = await json<{ id: string; key: string }>(
      await s.h.req('POST', '/v1/api-keys', { name: 'short-lived' }),
    );
    const t = await s.ticket('serial', key.key);
    expect((await s.h.req('DELETE', `/v1/api-keys/${key.id}`)).status).toBeLessThan(300);
    expect(await openConsole(s.socketUrl(t)).opened).toBe(401);
  });

  it('is also reachable under /api', async () => {
    const s = await setup();
    const t = await s.ticket();
    const c = openConsole(`${s.url.replace(/^http/, 'ws')}/api/console?ticket=${t.ticket}`);
    expect(await c.opened).toBe('open');
    await c.until('login: ');
  });

  it('closes with 4409 and a reason when the VM stopped after the ticket was issued', async () => {
    const s = await setup();
    const t = await s.ticket();
    await s.h.req('POST', `/v1/vms/${VM}/stop`);
    await s.h.idle();
    const c = openConsole(s.socketUrl(t));
    expect(await c.closed).toEqual({
      code: 4409,
      reason: `VM ${VM} is stopped: the serial console needs it running or starting or stopping`,
    });
    expect(s.agent.upgrades).toHaveLength(0);
  });

  it('closes with 4503 when the agent cannot be reached, and 4409 when the agent refuses', async () => {
    const s = await setup();
    s.agent.refuseWith = 409;
    const refused = openConsole(s.socketUrl(await s.ticket()));
    expect((await refused.closed).code).toBe(4409);
    const ticket = await s.ticket();
    await s.agent.stop();
    const unreachable = openConsole(s.socketUrl(ticket));
    const closed = await unreachable.closed;
    expect(closed.code).toBe(4503);
    expect(closed.reason).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  it('closes with 1011 on an internal error and keeps serving', async () => {
    const s = await setup();
    const t = await s.ticket();
    // A sealed agent key that no longer opens (e.g. secret.key replaced).
    const { hosts } = s.h.core.ctx.t;
    await s.h.core.ctx.db.update(hosts).set({ agentKeyEnc: 'v1:broken' });
    const c = openConsole(s.socketUrl(t));
    const closed = await c.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^internal error; see the controller log \(req_/);
    expect((await fetch(`${s.url}/v1/health`)).status).toBe(200);
  });

  it('closes with 4504 when the agent does not answer the upgrade in time', async () => {
    const s = await setup({ config: { agentTimeoutMs: 300 } });
    s.agent.stall = true;
    const c = openConsole(s.socketUrl(await s.ticket()));
    expect(await c.closed).toEqual({ code: 4504, reason: 'the host did not answer in time' });
  });

  it('passes the close of either side to the other, with its code and reason', async () => {
    const s = await setup();
    const first = openConsole(s.socketUrl(await s.ticket()));
    await first.opened;
    await first.until('login: ');
    s.agent.sockets[0]?.close(1011, 'VNC not available');
    expect(await first.closed).toEqual({ code: 1011, reason: 'VNC not available' });

    const second = openConsole(s.socketUrl(await s.ticket()));
    await second.opened;
    await second.until('login: ');
    const agentSide = s.agent.sockets[1];
    const agentClosed = new Promise<number>((r) => agentSide?.once('close', (code) => r(code)));
    second.ws.close(1000, 'closed by user');
    expect(await agentClosed).toBe(1000);
    await expect
      .poll(() => s.h.core.ctx.metrics.registry.metrics())
      .toContain('apiary_console_sessions 0');
  });

  it('stops reading the agent while the client does not read, then delivers every byte', async () => {
    const s = await setup();
    const c = openConsole(s.socketUrl(await s.ticket('vnc')));
    await c.until('RFB 003.008\n');
    let received = 0;
    c.ws.on('message', (data: Buffer) => {
      received += data.length;
    });
    c.ws.pause();
    const agentSide = s.agent.sockets[0];
    if (!agentSide) throw new Error('no agent socket');
    const frame = Buffer.alloc(256 * 1024, 7);
    for (let i = 0; i < 128; i++) agentSide.send(frame);
    // 32 MiB sent: the controller holds about 1 MiB, the kernel a few; the rest waits at the agent.
    await new Promise((r) => setTimeout(r, 500));
    expect(agentSide.bufferedAmount).toBeGreaterThan(8 * 1024 * 1024);
    c.ws.resume();
    await expect.poll(() => received, { timeout: 20_000 }).toBe(128 * frame.length);
  });

  it('ends open consoles with 1001 when the controller shuts down', async () => {
    const s = await setup();
    const c = openConsole(s.socketUrl(await s.ticket()));
    await c.until('login: ');
    await s.h.core.stop();
    expect((await c.closed).code).toBe(1001);
  });

  it('tells a plain HTTP GET of the websocket path to use a websocket', async () => {
    const s = await setup();
    const res = await fetch(`${s.url}/v1/console?ticket=x`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/websocket endpoint/);
  });
});
