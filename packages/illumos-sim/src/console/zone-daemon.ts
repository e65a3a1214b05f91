/**
 * sim-zoneadmd: one background process per simulated host that serves the VNC sockets of its
 * running zones with `vnc` on (`<host root><zonepath>/root/tmp/vm.vnc`). It follows the state
 * file, opens and closes sockets as zones boot and halt, and exits when no zone needs it or
 * when its host directory disappears. Started on demand by `zoneadm boot`.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import type { HostState, ZoneRecord } from '../core/state-types.js';
import { vncWanted } from '../zones/bhyve-brand.js';
import { serveRfb } from './rfb-server.js';

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: zone-daemon STATE_DIR\n');
  process.exit(2);
}
const pidFile = join(root, 'sim-zoneadmd.pid');
const servers = new Map<string, { server: Server; path: string }>();
let lastKey = '';
let idleSince = Date.now();

function vncOn(z: ZoneRecord): boolean {
  return z.state === 'running' && vncWanted(z);
}

function socketPath(z: ZoneRecord): string {
  return join(root!, 'root', z.config.props.zonepath ?? '/nonexistent', 'root', 'tmp', 'vm.vnc');
}

function listen(name: string, path: string): void {
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
  servers.set(name, { server, path });
}

function reconcile(): undefined {
  if (!existsSync(join(root!, 'state.json'))) return shutdown();
  let key: string;
  try {
    const st = statSync(join(root!, 'state.json'));
    key = `${st.ino}:${st.mtimeMs}`;
  } catch {
    return shutdown();
  }
  if (key !== lastKey) {
    lastKey = key;
    let state: HostState;
    try {
      state = JSON.parse(readFileSync(join(root!, 'state.json'), 'utf8')) as HostState;
    } catch {
      return;
    }
    const wanted = new Map(state.zones.filter(vncOn).map((z) => [z.name, socketPath(z)]));
    for (const [name, entry] of servers) {
      if (wanted.get(name) !== entry.path) {
        entry.server.close();
        rmSync(entry.path, { force: true });
        servers.delete(name);
      }
    }
    for (const [name, path] of wanted) {
      if (!servers.has(name) && existsSync(dirname(path))) listen(name, path);
    }
  }
  if (servers.size > 0) idleSince = Date.now();
  else if (Date.now() - idleSince > 3000) shutdown();
}

function shutdown(): never {
  for (const entry of servers.values()) {
    entry.server.close();
    rmSync(entry.path, { force: true });
  }
  try {
    if (readFileSync(pidFile, 'utf8').trim() === `${process.pid}`) rmSync(pidFile, { force: true });
  } catch {
    // the host directory is gone
  }
  process.exit(0);
}

writeFileSync(pidFile, `${process.pid}\n`);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
reconcile();
setInterval(reconcile, 100);
