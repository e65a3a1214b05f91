import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';
import { forwardsKey } from '../net/rdr-forwards.js';
import { vncWanted } from '../zones/bhyve-brand.js';
import {
  daemonPidFile as pidFile,
  readDaemonStatus,
  stateKey,
  statusFile,
} from './daemon-files.js';

/**
 * Starting and stopping a host's sim-zoneadmd. `zoneadm boot` of a zone with VNC calls
 * `ensureZoneDaemon`, which starts the daemon if none is alive and waits until the zone's
 * socket exists, so the socket is there when boot returns (as bhyve's is, soon after).
 * A command that changed the host's forwards calls `syncZoneDaemon`, so the listeners are
 * there (or gone) when it returns, as an ipnat rule is active as soon as it is loaded.
 */

/** Whether the host needs its daemon: a running zone with VNC, or a forward to serve. */
export function daemonWanted(state: HostState): boolean {
  return (
    state.zones.some((z) => z.state === 'running' && vncWanted(z)) || forwardsKey(state) !== ''
  );
}

export function daemonPid(root: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(root), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function daemonScript(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const candidate of [
    join(here, 'console', 'zone-daemon.js'),
    join(here, 'zone-daemon.js'),
    join(here, '..', '..', 'dist', 'console', 'zone-daemon.js'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(here, 'console', 'zone-daemon.js');
}

/** Spawns the host's daemon unless one is alive; returns whether it spawned one. */
function startDaemon(root: string): boolean {
  if (daemonPid(root) !== undefined) return false;
  const child = spawn(process.execPath, [daemonScript(), root], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  return true;
}

export async function ensureZoneDaemon(root: string, zone: string): Promise<void> {
  await caughtUp(root, startDaemon(root));
  const z = readState(root).zones.find((x) => x.name === zone);
  const zp = z?.config.props.zonepath;
  if (!zp) return;
  const sock = join(root, 'root', zp, 'root', 'tmp', 'vm.vnc');
  // Accepting, not merely present: a stopped daemon may leave its socket file behind, and a
  // connection to that is refused until the new daemon listens there.
  const deadline = Date.now() + 15_000;
  while (!(await accepts(sock)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

function accepts(path: string): Promise<boolean> {
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * After a change to the host's forwards: starts the daemon if the host needs one and none
 * runs, then waits (up to 10 s) until the daemon has caught up with the current state file.
 */
export async function syncZoneDaemon(root: string): Promise<void> {
  await caughtUp(root, daemonWanted(readState(root)) && startDaemon(root));
}

/**
 * Waits (up to 10 s) until the host's daemon has acted on the current state file, so it is
 * quiet when the command returns. `spawned`: a daemon was just started, which writes its pid
 * file only once it runs; wait for it too.
 */
async function caughtUp(root: string, spawned: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const key = stateKey(root);
    if (key === undefined) return;
    if (daemonPid(root) === undefined) {
      if (!spawned) return;
    } else if (readDaemonStatus(root)?.state === key) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Starts the host's daemon again when running zones need it (VNC on, or forwards on a host
 * with a public address) and none serves them: a host whose daemon was stopped
 * (`stopZoneDaemon`) while its zones kept running, as a dev fleet does between runs. Returns
 * whether a daemon serves the host afterwards.
 */
export async function resumeZoneDaemon(root: string): Promise<boolean> {
  if (daemonPid(root) !== undefined) return true;
  const state = readState(root);
  if (!daemonWanted(state)) return false;
  const running = state.zones.filter((z) => z.state === 'running' && vncWanted(z));
  for (const zone of running) await ensureZoneDaemon(root, zone.name);
  await syncZoneDaemon(root);
  return true;
}

/** Stops the host's daemon (tests, `apiary-sim stop`); returns whether one was running. */
export async function stopZoneDaemon(root: string): Promise<boolean> {
  const pid = daemonPid(root);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(pidFile(root), { force: true });
      rmSync(statusFile(root), { force: true });
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  process.kill(pid, 'SIGKILL');
  rmSync(pidFile(root), { force: true });
  rmSync(statusFile(root), { force: true });
  return true;
}
