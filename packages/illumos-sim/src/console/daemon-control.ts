import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readState } from '../core/state-store.js';
import { vncWanted } from '../zones/bhyve-brand.js';

/**
 * Starting and stopping a host's sim-zoneadmd. `zoneadm boot` of a zone with VNC calls
 * `ensureZoneDaemon`, which starts the daemon if none is alive and waits until the zone's
 * socket exists, so the socket is there when boot returns (as bhyve's is, soon after).
 */
function pidFile(root: string): string {
  return join(root, 'sim-zoneadmd.pid');
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

export async function ensureZoneDaemon(root: string, zone: string): Promise<void> {
  if (daemonPid(root) === undefined) {
    const child = spawn(process.execPath, [daemonScript(), root], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
  }
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
 * Starts the host's daemon again when zones are running with VNC on and none serves them: a
 * host whose daemon was stopped (`stopZoneDaemon`) while its zones kept running, as a dev
 * fleet does between runs. Returns whether a daemon serves the host afterwards.
 */
export async function resumeZoneDaemon(root: string): Promise<boolean> {
  if (daemonPid(root) !== undefined) return true;
  const running = readState(root).zones.filter((z) => z.state === 'running' && vncWanted(z));
  for (const zone of running) await ensureZoneDaemon(root, zone.name);
  return running.length > 0;
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
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  process.kill(pid, 'SIGKILL');
  rmSync(pidFile(root), { force: true });
  return true;
}
