/**
 * sim-zoneadmd: one background process per simulated host. It serves the VNC sockets of its
 * running zones with `vnc` on (vnc-sockets.ts) and, on a host with a public address, a TCP
 * listener for each active rdr forward of a running zone that hands connections to the
 * simulated guest (forward-listeners.ts, guest-connections.ts). It follows the state file,
 * records what it has caught up with (daemon-files.ts), and exits when nothing needs it or
 * when its host directory disappears. Started on demand by `zoneadm boot` and `ipnat`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';
import { activeForwards } from '../net/rdr-forwards.js';
import { daemonPidFile, stateKey, statusFile, writeDaemonStatus } from './daemon-files.js';
import { ForwardListeners } from './forward-listeners.js';
import { VncSockets } from './vnc-sockets.js';

const root = process.argv[2];
if (!root) {
  process.stderr.write('usage: zone-daemon STATE_DIR\n');
  process.exit(2);
}
const hostRoot = join(root, 'root');
const pidFile = daemonPidFile(root);
const vnc = new VncSockets(root);
let state: HostState | undefined;
// Each connection reads the state afresh: a packet filter change counts at once. The guest's
// servers (ssh2, yaml) load at the first connection, so a daemon for VNC alone starts fast.
const forwards = new ForwardListeners((port, socket) => {
  import('./guest-connections.js')
    .then(({ connectGuest }) => connectGuest(readState(root), hostRoot, port, socket))
    .catch(() => socket.destroy());
});
let lastKey = '';
let lastStatus = '';
let idleSince = Date.now();
let busy = false;

async function reconcile(): Promise<void> {
  if (!existsSync(join(root!, 'state.json'))) return shutdown();
  const key = stateKey(root!);
  if (key === undefined) return shutdown();
  if (key !== lastKey) {
    try {
      state = JSON.parse(readFileSync(join(root!, 'state.json'), 'utf8')) as HostState;
    } catch {
      return;
    }
    lastKey = key;
    vnc.reconcile(state);
  }
  const ports = state ? activeForwards(state).map((f) => f.hostPort) : [];
  await forwards.reconcile(state?.publicAddress, ports);
  const status = { state: lastKey, listening: forwards.listening() };
  if (JSON.stringify(status) !== lastStatus) {
    lastStatus = JSON.stringify(status);
    writeDaemonStatus(root!, status);
  }
  if (vnc.size > 0 || forwards.size > 0) idleSince = Date.now();
  else if (Date.now() - idleSince > 3000) shutdown();
}

function shutdown(): never {
  vnc.closeAll();
  forwards.closeAll();
  try {
    if (readFileSync(pidFile, 'utf8').trim() === `${process.pid}`) {
      rmSync(pidFile, { force: true });
      rmSync(statusFile(root!), { force: true });
    }
  } catch {
    // the host directory is gone
  }
  process.exit(0);
}

writeFileSync(pidFile, `${process.pid}\n`);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
const tick = () => {
  if (busy) return;
  busy = true;
  // A failed round (the host directory going away under it) is retried, or ends the daemon.
  reconcile()
    .catch(() => undefined)
    .finally(() => {
      busy = false;
    });
};
tick();
setInterval(tick, 100);
