import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one path of the test server does. */
export type Served =
  | { body: Buffer; contentType?: string; etag?: string }
  /** Answers with this status and body. */
  | { status: number; body: string }
  /** Sends the headers and a part of the body, then never finishes (a stalled server). */
  | { hang: true }
  | { handler: (req: IncomingMessage, res: ServerResponse) => void };

export interface FileServer {
  url: string;
  /** Requests seen, as `METHOD path range`. */
  log: string[];
  /** What each request's Authorization header was. */
  auth: Array<string | undefined>;
  /** What each request's User-Agent header was. */
  agents: Array<string | undefined>;
  files: Map<string, Served>;
  /** The next full-body answer for `path` breaks after `bytes` bytes (a dropped connection). */
  breakOnce(path: string, bytes: number): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server for downloads (cloud images, registries): serves bodies with Range and
 * ETag like a real static server, and can stall or drop a connection on request.
 */
export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, Served>();
  const log: string[] = [];
  const auth: Array<string | undefined> = [];
  const agents: Array<string | undefined> = [];
  const breaks = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    log.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
    auth.push(req.headers.authorization);
    agents.push(req.headers['user-agent']);
    const served = files.get(path);
    if (!served) {
      res.writeHead(404).end('not found');
      return;
    }
    if ('handler' in served) return served.handler(req, res);
    if ('hang' in served) {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write('x');
      return;
    }
    if ('status' in served) {
      res.writeHead(served.status, { 'content-type': 'application/json' }).end(served.body);
      return;
    }
    const { body } = served;
    const etag = served.etag ?? `"${body.length}"`;
    const headers: Record<string, string> = {
      'content-type': served.contentType ?? 'application/octet-stream',
      'accept-ranges': 'bytes',
      etag,
    };
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (m && (!ifRange || ifRange === etag)) {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        ...headers,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'content-length': String(body.length - start),
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    const cut = breaks.get(path);
    if (cut !== undefined) {
      breaks.delete(path);
      res.write(body.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(body);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    auth,
    agents,
    files,
    breakOnce: (path, bytes) => breaks.set(path, bytes),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
