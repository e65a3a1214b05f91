import { createServer } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The tiny web server on every forwarded port other than 22: any request gets `200` and the
 * guest's hostname, so a forward can be checked with curl.
 */
export function serveHttp(socket: Socket, hostname: () => string): void {
  const server = createServer((req, res) => {
    const body = `${hostname()}\n`;
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  socket.on('error', () => socket.destroy());
  server.emit('connection', socket);
}
