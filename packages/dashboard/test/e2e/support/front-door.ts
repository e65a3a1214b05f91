import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { resolveDashboardRequest } from '../../../src/node/index.js';

/**
 * Serves the built dashboard the way the controller does (resolveDashboardRequest: files, SPA
 * fallback for HTML navigations, CSP and cache headers) and forwards everything else to the
 * controller: API calls, the event stream and console websockets (upgrades are piped as raw
 * TCP). Used by the console widget test, which answers some websocket upgrades itself.
 */
export interface FrontDoorOptions {
  /** The controller's certificate (PEM), trusted when it serves HTTPS. */
  ca?: Buffer;
  /** Answer some websocket upgrades here instead of forwarding them (test doubles). */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

export async function startFrontDoor(
  controllerUrl: string,
  options: FrontDoorOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(controllerUrl);
  const secure = target.protocol === 'https:';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front-door');
    if (req.method === 'GET' || req.method === 'HEAD') {
      const asset = resolveDashboardRequest({ pathname: url.pathname, accept: req.headers.accept });
      if (asset) {
        res.writeHead(200, asset.headers);
        if (req.method === 'HEAD') return res.end();
        createReadStream(asset.file).pipe(res);
        return;
      }
    }
    const upstream = (secure ? httpsRequest : request)(
      {
        ...(secure ? { ca: options.ca } : {}),
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
    res.on('close', () => upstream.destroy());
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (options.upgrade?.(req, socket, head)) return;
    const port = Number(target.port);
    const open = (ready: () => void) =>
      secure
        ? tlsConnect({ port, host: target.hostname, ca: options.ca }, ready)
        : connect(port, target.hostname, ready);
    const upstream = open(() => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i]!;
        const value = name.toLowerCase() === 'host' ? target.host : req.rawHeaders[i + 1]!;
        lines.push(`${name}: ${value}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
