import WebSocket from 'ws';

export interface ConsoleClient {
  ws: WebSocket;
  /** Resolves 'open', or the HTTP status the upgrade was refused with. */
  opened: Promise<'open' | number>;
  closed: Promise<{ code: number; reason: string }>;
  text(): string;
  /** Waits until the bytes received contain `needle`. */
  until(needle: string, ms?: number): Promise<void>;
}

/** A websocket client as the CLI uses one: no headers, only the URL with the ticket. */
export function openConsole(url: string): ConsoleClient {
  const ws = new WebSocket(url);
  let received = '';
  ws.on('message', (data: Buffer) => {
    received += data.toString('latin1');
  });
  ws.on('error', () => {});
  const opened = new Promise<'open' | number>((resolve, reject) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return {
    ws,
    opened,
    closed,
    text: () => received,
    async until(needle, ms = 5000) {
      const end = Date.now() + ms;
      while (!received.includes(needle)) {
        if (Date.now() > end)
          throw new Error(`no ${JSON.stringify(needle)} in ${JSON.stringify(received)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
