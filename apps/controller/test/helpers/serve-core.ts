import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveDaemon } from '@apiary/server-kit';
import type { ControllerCore } from '../../src/core.js';

/** Serves a test controller on an ephemeral port the way main.ts does, upgrades included. */
export async function serveCore(
  core: ControllerCore,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const served = serveDaemon({
      fetch: core.app.fetch,
      fastLane: core.fastLane,
      hostname: '127.0.0.1',
      port: 0,
      tls: null,
      log: core.ctx.log,
      onListening: () => resolve(served.server as Server),
    });
  });
  server.on('upgrade', core.handleUpgrade);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
