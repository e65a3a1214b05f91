import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that records every byte it carries, both ways: what someone on the network path
 * between two Apiary programs would see.
 */
export class RecordingProxy {
  private readonly chunks: Buffer[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<this> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (d: Buffer) => this.chunks.push(d));
      upstream.on('data', (d: Buffer) => this.chunks.push(d));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    return this;
  }

  /** Everything carried so far. */
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Whether the first bytes a client sent were a TLS handshake record (ClientHello). */
  get sawTlsHandshake(): boolean {
    return this.chunks[0]?.[0] === 0x16;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve) ?? resolve(null));
  }
}
