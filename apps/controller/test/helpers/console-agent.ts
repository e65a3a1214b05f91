import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

export interface ConsoleUpgrade {
  path: string;
  authorization: string | undefined;
  requestId: string | undefined;
}

/**
 * The console half of an agent, as a real websocket server: `/api/vms/{id}/console` prints a
 * login prompt and echoes, `/api/vms/{id}/vnc` starts an RFB handshake. It checks the agent key
 * like the agent does, records every upgrade, and can refuse (an HTTP status) or stall.
 */
export class ConsoleAgent {
  readonly upgrades: ConsoleUpgrade[] = [];
  readonly sockets: WebSocket[] = [];
  /** Bytes received from clients, per socket. */
  readonly received: string[] = [];
  /** Answer upgrades with this HTTP status instead of accepting them. */
  refuseWith: number | undefined;
  /** Never answer upgrades. */
  stall = false;
  private server: Server | undefined;
  private readonly stalled: Duplex[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(readonly key: string) {}

  async start(): Promise<string> {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    // Upgrade sockets are no longer the HTTP server's: closeAllConnections does not see them.
    for (const socket of this.stalled) socket.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const path = req.url ?? '';
    this.upgrades.push({
      path,
      authorization: req.headers.authorization,
      requestId: req.headers['x-request-id'] as string | undefined,
    });
    if (this.stall) {
      this.stalled.push(socket);
      return;
    }
    const deny = (status: number) =>
      socket.end(`HTTP/1.1 ${status} No\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    if (req.headers.authorization !== `Bearer ${this.key}`) return deny(401);
    if (this.refuseWith) return deny(this.refuseWith);
    const match = /^\/api\/vms\/([^/]+)\/(console|vnc)$/.exec(path);
    if (!match) return deny(404);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const index = this.sockets.push(ws) - 1;
      this.received[index] = '';
      ws.on('message', (data: Buffer) => {
        this.received[index] += data.toString('latin1');
        if (match[2] === 'console') ws.send(data);
      });
      ws.send(
        match[2] === 'console'
          ? Buffer.from(`[Connected to zone '${match[1]}' console]\r\n${match[1]} console login: `)
          : Buffer.from('RFB 003.008\n'),
      );
    });
  }
}
