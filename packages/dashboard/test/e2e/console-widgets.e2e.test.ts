import { readFileSync } from 'node:fs';
import type { ControllerClient } from '@apiary/protocol';
import { type Fleet, sampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Browser, launchBrowser } from './support/browser.js';
import { startFleet } from './support/e2e-fleet.js';
import { startFrontDoor } from './support/front-door.js';
import { createRfbDisplay } from './support/rfb-display.js';

/** Ticket requests, whatever their query (the dashboard names the VM's organization: `?org=`). */
const CONSOLE_TICKETS = /\/v1\/vms\/[^/?]+\/console(\?.*)?$/;

/*
 * The dashboard's half of the consoles, on a real environment page of a real fleet: the ticket
 * request, the websocket URL, the bytes the terminal sends and shows, and noVNC's RFB session.
 * The far end of the console websocket is played by this test (behind the same origin, through
 * the front door) so it can check every frame and refusal; operator-flow.e2e.test.ts runs the
 * whole path through the controller's proxy, the agent and the simulated host.
 */

const SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';
const SESSIONS = '/v1/console-sessions/';

let fleet: Fleet;
let door: { url: string; close(): Promise<void> };
let browser: Browser;
let api: ControllerClient;
const wss = new WebSocketServer({ noServer: true });
const tickets: Array<{ kind: string; authorization: string | null }> = [];
/** What each console session does with its socket; set by each test. */
let session: (socket: WebSocket, url: string) => void = (socket) => socket.close();

beforeAll(async () => {
  fleet = await startFleet(1);
  api = fleet.admin;
  const image = await sampleImage();
  await api.uploadImage({ query: { name: 'alpine-cloud' }, body: new Uint8Array(image.stream) });
  await api.createEnv({
    body: { id: 'con-1', ssh_keys: [SSH_KEY], vms: [{ image: 'alpine-cloud' }] },
  });
  door = await startFrontDoor(fleet.controllerUrl, {
    ca: readFileSync(fleet.controller.certFile),
    upgrade: (req, socket, head) => {
      if (!req.url?.startsWith(SESSIONS)) return false;
      wss.handleUpgrade(req, socket, head, (ws) => session(ws, req.url ?? ''));
      return true;
    },
  });
  browser = await launchBrowser(door.url);
  const { page } = browser;
  // Tickets as the controller's POST /v1/vms/{id}/console answers them: a path with the ticket.
  await page.route(CONSOLE_TICKETS, async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}') as { kind: string };
    tickets.push({
      kind: body.kind,
      authorization: await route.request().headerValue('authorization'),
    });
    await route.fulfill({
      status: 201,
      contentType: 'application/json',
      body: JSON.stringify({
        url: `${SESSIONS}${body.kind}?ticket=ct_${body.kind}_once`,
        ticket: `ct_${body.kind}_once`,
        expires_at: new Date(Date.now() + 30_000).toISOString(),
      }),
    });
  });
  await page.goto('/');
  await page.fill('#login-username', fleet.bootstrap.adminUser);
  await page.fill('#login-password', fleet.bootstrap.adminPassword);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=host-card]');
  await page.goto('/envs/con-1');
  await page.waitForSelector('[data-testid=vm-row] [data-state=running]', { timeout: 60_000 });
});

afterAll(async () => {
  wss.close();
  await browser?.close();
  await door?.close();
  await fleet?.destroy();
});

describe('console widgets', () => {
  it('shows the serial console output and sends keystrokes as binary frames', async () => {
    const { page } = browser;
    const frames: Array<{ data: Buffer; binary: boolean }> = [];
    let sessionUrl = '';
    session = (socket, url) => {
      sessionUrl = url;
      socket.on('message', (data: Buffer, binary) => {
        frames.push({ data, binary });
        if (Buffer.concat(frames.map((f) => f.data)).toString() === 'root\r')
          socket.send('Password: ');
      });
      socket.send(Buffer.from('\r\nOmniOS v11 r151054\r\n\r\ncon-1-0 console login: '));
    };
    await page.getByTestId('open-serial').click();
    const rows = page.getByTestId('serial-console').locator('.xterm-rows');
    await expect
      .poll(() => rows.textContent(), { timeout: 15_000 })
      .toContain('con-1-0 console login:');
    expect(await page.getByTestId('console-status').getAttribute('data-state')).toBe('open');
    await page.getByTestId('serial-console').click();
    await page.keyboard.type('root');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.textContent()).toContain('Password:');
    // Keystrokes travel as bytes in binary frames: a pty bridge writes them as they are.
    expect(frames.every((f) => f.binary)).toBe(true);
    expect(Buffer.concat(frames.map((f) => f.data)).toString()).toBe('root\r');
    // The ticket was asked for with the session as a Bearer header; the URL holds the ticket only.
    expect(tickets[0]).toEqual({
      kind: 'serial',
      authorization: expect.stringMatching(/^Bearer /),
    });
    expect(sessionUrl).toBe(`${SESSIONS}serial?ticket=ct_serial_once`);
    await browser.shoot('13-serial-console-widget');
  });

  it('connects noVNC to the VM display and draws its first frame', async () => {
    const { page } = browser;
    let stage = '';
    session = (socket) => {
      const display = createRfbDisplay((data) => socket.send(data));
      socket.on('message', (data: Buffer) => {
        display.receive(data);
        stage = display.stage;
      });
    };
    await page.getByTestId('open-vnc').click();
    // noVNC reports "connect" only once the RFB handshake is through.
    await expect
      .poll(() => page.getByTestId('console-status').getAttribute('data-state'), {
        timeout: 15_000,
      })
      .toBe('open');
    expect(stage).toBe('running');
    expect(tickets.at(-1)?.kind).toBe('vnc');
    await expect.poll(() => page.getByTestId('vnc-console').locator('canvas').count()).toBe(1);
    await page.waitForTimeout(300);
    await browser.shoot('14-vnc-console-widget');
    expect(browser.pageErrors).toEqual([]);
  });

  it('says why when a console cannot be opened', async () => {
    const { page } = browser;
    await page.unroute(CONSOLE_TICKETS);
    await page.route(CONSOLE_TICKETS, (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({
          msg: 'VM con-1-0 is not running',
          code: 'conflict',
          requestId: 'req_test',
        }),
      }),
    );
    await page.getByTestId('open-serial').click();
    await expect
      .poll(() => page.getByTestId('console-status').textContent())
      .toContain('VM con-1-0 is not running');
  });
});
