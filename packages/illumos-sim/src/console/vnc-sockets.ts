import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { vncWanted } from '../zones/bhyve-brand.js';
import { serveRfb } from './rfb-server.js';

/**
 * The VNC sockets of a host's running zones with `vnc` on, at
 * `<host root><zonepath>/root/tmp/vm.vnc`, opened and closed as zones boot and halt.
 */
function vncOn(z: ZoneRecord): boolean {
  return z.state === 'running' && vncWanted(z);
}

export class VncSockets {
  private readonly servers = new Map<string, { server: Server; path: string }>();

  constructor(private readonly root: string) {}

  get size(): number {
    return this.servers.size;
  }

  reconcile(state: HostState): void {
    const wanted = new Map(state.zones.filter(vncOn).map((z) => [z.name, this.socketPath(z)]));
    for (const [name, entry] of this.servers) {
      if (wanted.get(name) !== entry.path) {
        entry.server.close();
        rmSync(entry.path, { force: true });
        this.servers.delete(name);
      }
    }
    for (const [name, path] of wanted) {
      if (!this.servers.has(name) && existsSync(dirname(path))) this.listen(name, path);
    }
  }

  closeAll(): void {
    for (const entry of this.servers.values()) {
      entry.server.close();
      rmSync(entry.path, { force: true });
    }
    this.servers.clear();
  }

  private socketPath(z: ZoneRecord): string {
    return join(
      this.root,
      'root',
      z.config.props.zonepath ?? '/nonexistent',
      'root',
      'tmp',
      'vm.vnc',
    );
  }

  private listen(name: string, path: string): void {
    rmSync(path, { force: true });
    const server = createServer((socket) => serveRfb(socket, name));
    server.on('error', () => undefined);
    // Unix socket paths are limited to ~107 bytes: bind relative to the socket's directory.
    const cwd = process.cwd();
    try {
      process.chdir(dirname(path));
      server.listen('vm.vnc');
    } finally {
      process.chdir(cwd);
    }
    this.servers.set(name, { server, path });
  }
}
