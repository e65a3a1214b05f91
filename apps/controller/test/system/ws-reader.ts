import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/**
 * A websocket opened the way the CLI and the dashboard open consoles (the ticket URL, no
 * headers), with its incoming bytes readable as a stream: `read(n)` for binary protocols (RFB),
 * `until(text)` for terminals.
 */
export class WsReader {
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private buffer = Buffer.alloc(0);
  private all = '';
  private wake: (() => void) | undefined;

  /** `caFile`: the controller's certificate, trusted as the CLI does with APIARY_CA. */
  constructor(url: string, caFile?: string) {
    this.ws = new WebSocket(url, caFile ? { ca: readFileSync(caFile) } : {});
    this.ws.on('message', (data: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.all += data.toString('latin1');
      this.wake?.();
    });
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
      this.ws.once('error', reject);
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Everything received so far, as text. */
  text(): string {
    return this.all;
  }

  async read(n: number, ms = 10_000): Promise<Buffer> {
    await this.waitFor(
      () => this.buffer.length >= n,
      () => `${n} bytes`,
      ms,
    );
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  async until(needle: string, ms = 15_000): Promise<void> {
    await this.waitFor(
      () => this.all.includes(needle),
      () => JSON.stringify(needle),
      ms,
    );
  }

  private async waitFor(ready: () => boolean, what: () => string, ms: number) {
    const deadline = Date.now() + ms;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${what()} after ${ms} ms; got ${JSON.stringify(this.all)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
