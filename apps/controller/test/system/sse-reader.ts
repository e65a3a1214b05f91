/**
 * A server-sent event stream read as it arrives (`GET /v1/events`), the way the dashboard
 * follows it: everything received stays readable, and `until` waits for a pattern to show up.
 */
export class SseReader {
  private text = '';
  private done = false;
  private wake: (() => void) | undefined;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly pump: Promise<void>;

  constructor(res: Response) {
    if (!res.body || !/text\/event-stream/.test(res.headers.get('content-type') ?? '')) {
      throw new Error(`not an event stream: HTTP ${res.status} ${res.headers.get('content-type')}`);
    }
    this.reader = res.body.getReader();
    this.pump = this.read();
  }

  /** Everything received so far. */
  received(): string {
    return this.text;
  }

  /** Resolves with everything received once `pattern` matches it; rejects after `ms`. */
  async until(pattern: RegExp, ms = 30_000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.text)) {
      if (this.done) throw new Error(`the stream ended before ${pattern}:\n${this.text}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${pattern} within ${ms} ms in:\n${this.text}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.text;
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
    await this.pump;
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const chunk = await this.reader.read();
        if (chunk.done) break;
        this.text += decoder.decode(chunk.value, { stream: true });
        this.wake?.();
      }
    } catch {
      // cancelled, or the controller went away: `until` reports what arrived
    } finally {
      this.done = true;
      this.wake?.();
    }
  }
}
