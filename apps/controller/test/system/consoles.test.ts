import type { ConsoleTicket, Env } from '@apiary/protocol';
import type { ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { WsReader } from './ws-reader.js';

/*
 * Consoles through the whole path: the built controller program proxies to a real agent on a
 * simulated OmniOS host, which runs `zlogin -C` under a pty (serial) and bridges the zone's
 * vm.vnc socket (VNC). The client holds nothing but the ticket URL, as the CLI and the
 * dashboard do.
 */

let c: ControllerDaemon;
const VM = 'cons-0';

fleetForFile(
  { agents: 1, controllerArgs: ['--heartbeat-interval-ms', '1000'] },
  async (fleet) => {
    c = fleet.controller;
    await uploadSampleImage(c.admin, 'alpine-cloud');
    const res = await c.call('POST', '/v1/envs', {
      id: 'cons',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
    });
    expect(res.status, await res.clone().text()).toBe(202);
    await waitFor(
      async () => ((await (await c.call('GET', '/v1/envs/cons')).json()) as Env).state === 'active',
      { what: 'the environment to be active', timeoutMs: 120_000, intervalMs: 250 },
    );
  },
  180_000,
);

async function ticket(kind: 'serial' | 'vnc'): Promise<ConsoleTicket> {
  const res = await c.call('POST', `/v1/vms/${VM}/console`, { kind });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ConsoleTicket;
}

/** The websocket URL as the CLI builds it: the ticket's path on the controller's address. */
const socketUrl = (t: ConsoleTicket) => {
  const url = new URL(t.url, c.url);
  url.protocol = 'wss:';
  return url.href;
};

describe('consoles through the controller, on a real agent and a simulated host', () => {
  it('opens the serial console and reads the login prompt, then talks to the getty', async () => {
    const t = await ticket('serial');
    const console = new WsReader(socketUrl(t), c.certFile);
    await console.opened;
    // The guest is named after its zone: the VM's internal id, `cons-<8 base32>-0`.
    await console.until(' console login: ');
    expect(console.text()).toMatch(/cons-[a-z2-7]{8}-0 console login: /);
    console.ws.send(Buffer.from('root\r'));
    await console.until('Password: ');
    console.ws.close(1000, 'done');
    await console.closed;
    await waitFor(() => c.process.output.includes('"msg":"console session closed"'), {
      what: 'the session to be logged as closed',
    });
    // The ticket never reaches a log line.
    expect(c.process.output).not.toContain(t.ticket);
  }, 60_000);

  it('frees the console on close, so a second client can attach with a new ticket', async () => {
    // zlogin -C takes one client at a time; the agent sends `~.` when the websocket goes.
    const again = await waitFor(
      async () => {
        const console = new WsReader(socketUrl(await ticket('serial')), c.certFile);
        await console.opened;
        try {
          await console.until('console login: ', 3000);
          return console;
        } catch {
          console.ws.close();
          return undefined;
        }
      },
      { what: 'the console to be free again', timeoutMs: 30_000, intervalMs: 500 },
    );
    again.ws.close();
    await again.closed;
  }, 60_000);

  it('refuses a used ticket before upgrading', async () => {
    const t = await ticket('serial');
    const first = new WsReader(socketUrl(t), c.certFile);
    await first.opened;
    await expect(new WsReader(socketUrl(t), c.certFile).opened).rejects.toThrow('HTTP 401');
    first.ws.close();
    await first.closed;
  }, 30_000);

  it("completes an RFB handshake with the VM's display through the VNC proxy", async () => {
    const vnc = new WsReader(socketUrl(await ticket('vnc')), c.certFile);
    await vnc.opened;
    expect((await vnc.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    vnc.ws.send(Buffer.from('RFB 003.008\n'));
    const count = (await vnc.read(1))[0] as number;
    const types = [...(await vnc.read(count))];
    expect(types).toContain(1); // security type None
    vnc.ws.send(Buffer.from([1]));
    expect((await vnc.read(4)).readUInt32BE(0)).toBe(0); // SecurityResult: OK
    vnc.ws.send(Buffer.from([1])); // ClientInit: shared
    const init = await vnc.read(24);
    expect([init.readUInt16BE(0), init.readUInt16BE(2)]).toEqual([640, 400]);
    const name = (await vnc.read(init.readUInt32BE(20))).toString('utf8');
    expect(name).toMatch(/cons-[a-z2-7]{8}-0/);
    vnc.ws.close();
    await vnc.closed;
  }, 60_000);

  it('serves the dashboard at / to browsers and keeps JSON for everyone else', async () => {
    const page = await c.fetch('/', { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('<div id="app"></div>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await c.fetch(script as string);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const info = await (await c.fetch('/')).json();
    expect(info).toMatchObject({ service: 'apiary-controller' });
  });
});
