import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { ControllerCore } from '../../src/core.js';

/** Serves a test controller on an ephemeral port the way main.ts does, upgrades included. */
export async function serveCore(
  core: ControllerCore,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: core.app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
      resolve(s as Server),
    );
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
