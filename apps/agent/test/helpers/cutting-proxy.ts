import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { onCleanup } from './temp.js';

/**
 * A TCP proxy to `target` (`host:port`) that cuts the first connection carrying more than
 * `cutAfter` bytes towards the target, both ways at once, as a network that drops mid-stream.
 * Later connections pass whole. `cuts` counts what it cut.
 */
export async function cuttingProxy(target: string, cutAfter: number) {
  const [host, port] = target.split(':') as [string, string];
  const state = { cuts: 0, armed: true };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host, port: Number(port) });
    sockets.add(client);
    sockets.add(upstream);
    let sent = 0;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (state.armed && sent > cutAfter) {
        state.armed = false;
        state.cuts++;
        const keep = chunk.length - (sent - cutAfter);
        upstream.write(chunk.subarray(0, Math.max(0, keep)), cut);
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('close', () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  const { port: own } = server.address() as { port: number };
  return { address: `127.0.0.1:${own}`, state };
}
