import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The files a host's sim-zoneadmd keeps in the state directory: its pid, and its status (the
 * version of state.json it has caught up with and the forward listeners it holds), which lets
 * a command that changed the forwards wait until the daemon has acted on the change.
 */
export function daemonPidFile(root: string): string {
  return join(root, 'sim-zoneadmd.pid');
}

export interface DaemonStatus {
  /** `stateKey` of the state.json the daemon has reconciled. */
  state: string;
  /** `address:port` of each bound forward listener. */
  listening: string[];
}

export function statusFile(root: string): string {
  return join(root, 'sim-zoneadmd.status');
}

/** Identifies one version of state.json (it is replaced by rename on every write). */
export function stateKey(root: string): string | undefined {
  try {
    const st = statSync(join(root, 'state.json'));
    return `${st.ino}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

export function readDaemonStatus(root: string): DaemonStatus | undefined {
  try {
    return JSON.parse(readFileSync(statusFile(root), 'utf8')) as DaemonStatus;
  } catch {
    return undefined;
  }
}

export function writeDaemonStatus(root: string, status: DaemonStatus): void {
  const tmp = `${statusFile(root)}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(status));
  renameSync(tmp, statusFile(root));
}
