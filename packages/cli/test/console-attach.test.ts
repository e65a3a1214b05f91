import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { attachConsole } from '../src/lib/console.js';

/*
 * attachConsole against a real websocket server playing the controller's console endpoint:
 * the user must learn why a console ended when they did not detach themselves.
 */

const servers: WebSocketServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(onSocket: (ws: WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', onSocket);
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/console?ticket=x`;
}

/** A non-TTY stdin (no raw mode) and a stdout that keeps what was written. */
function terminal() {
  const input = new PassThrough() as PassThrough & NodeJS.ReadStream;
  const output = new PassThrough();
  let written = '';
  output.on('data', (d: Buffer) => {
    written += d.toString();
  });
  return { input, output, written: () => written };
}

describe('attachConsole', () => {
  it('reports the close code and reason when the controller ends the console', async () => {
    const url = await serve((ws) =>
      ws.close(4409, 'VM a-0 is stopped: the serial console needs it running'),
    );
    const t = terminal();
    let opened = false;
    const end = await attachConsole(url, t.input, t.output, () => {
      opened = true;
    });
    // Refused right after the upgrade (a second client, a stopped VM): never "connected".
    expect(opened).toBe(false);
    expect(end).toEqual({
      detached: false,
      code: 4409,
      reason: 'VM a-0 is stopped: the serial console needs it running',
    });
  });

  it('counts a silent console as connected once it stays open', async () => {
    let server: WebSocket | undefined;
    const url = await serve((ws) => {
      server = ws;
    });
    const t = terminal();
    let opened = false;
    const attached = attachConsole(url, t.input, t.output, () => {
      opened = true;
    });
    await expect.poll(() => opened, { timeout: 2000 }).toBe(true);
    server?.close(1000, 'bye');
    expect(await attached).toMatchObject({ detached: false, code: 1000 });
  });

  it('says the user detached on Ctrl-], and tells the caller when the console opened', async () => {
    const url = await serve((ws) => ws.send(Buffer.from('login: ')));
    const t = terminal();
    let opened = false;
    const attached = attachConsole(url, t.input, t.output, () => {
      opened = true;
    });
    await expect.poll(() => t.written()).toBe('login: ');
    expect(opened).toBe(true);
    t.input.write(Buffer.from([0x1d]));
    expect(await attached).toMatchObject({ detached: true });
  });
});
