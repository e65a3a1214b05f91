import { createServer, type Server, type Socket } from 'node:net';

/**
 * The TCP listeners of a host's forwards, one per `address:port`, kept in line with the wanted
 * set by `reconcile`. A port that cannot be bound (another program holds it) is tried again at
 * later reconciles, at most every RETRY_MS. Removing a listener also ends the connections it
 * accepted: a forward that goes away (rule removed, zone stopped) leaves no session behind.
 */
const RETRY_MS = 2000;

interface Listener {
  server: Server;
  sockets: Set<Socket>;
  listening: boolean;
  failedAt?: number;
}

export class ForwardListeners {
  private readonly listeners = new Map<string, Listener>();

  constructor(private readonly onConnection: (port: number, socket: Socket) => void) {}

  /** Binds what is wanted and not bound, closes what is bound and no longer wanted. */
  async reconcile(address: string | undefined, ports: number[]): Promise<void> {
    const wanted = new Set(address ? ports.map((p) => `${address}:${p}`) : []);
    for (const [key, listener] of this.listeners) {
      if (!wanted.has(key)) {
        this.close(listener);
        this.listeners.delete(key);
      }
    }
    const binds: Array<Promise<void>> = [];
    for (const key of wanted) {
      const existing = this.listeners.get(key);
      if (existing?.listening) continue;
      if (existing?.failedAt !== undefined && Date.now() - existing.failedAt < RETRY_MS) continue;
      binds.push(this.bind(key));
    }
    await Promise.all(binds);
  }

  /** `address:port` of each listener that is bound. */
  listening(): string[] {
    return [...this.listeners].filter(([, l]) => l.listening).map(([key]) => key);
  }

  /** Whether any forward is wanted (bound, or waiting to be bound again). */
  get size(): number {
    return this.listeners.size;
  }

  closeAll(): void {
    for (const listener of this.listeners.values()) this.close(listener);
    this.listeners.clear();
  }

  private bind(key: string): Promise<void> {
    const at = key.lastIndexOf(':');
    const [host, port] = [key.slice(0, at), Number(key.slice(at + 1))];
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      this.onConnection(port, socket);
    });
    const listener: Listener = { server, sockets, listening: false };
    this.listeners.set(key, listener);
    return new Promise((resolve) => {
      server.once('error', () => {
        listener.failedAt = Date.now();
        server.close();
        resolve();
      });
      server.listen({ host, port, exclusive: true }, () => {
        listener.listening = true;
        resolve();
      });
    });
  }

  private close(listener: Listener): void {
    listener.server.close();
    for (const socket of listener.sockets) socket.destroy();
  }
}
