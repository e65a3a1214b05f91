import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fnmatch } from './glob.js';
import { withHostLock } from './lock.js';

/**
 * Injected faults. A fault matches an invocation when its `match` glob (fnmatch: `*` crosses
 * spaces) matches the command line: program basename and arguments joined with single spaces,
 * with a leading `pfexec` removed (so `zoneadm * boot` also matches
 * `/usr/bin/pfexec /usr/sbin/zoneadm -z vm1 boot`). Each match consumes one of `count` uses;
 * `count: null` never runs out.
 *
 * `when: 'before'` (default) fails the command without running it; `'after'` runs it (its state
 * change stands) and then reports the failure, like a command whose success was lost.
 * `hang_ms` sleeps first (outside the host lock); with no `exit_code`/`stderr`/`stdout`, a
 * hanging fault then runs the command normally. `stdin_bytes` cuts the command's standard
 * input after that many bytes, as when the sender of a piped stream dies part-way (a
 * `zfs receive` that reads it sees an incomplete stream); alone, it lets the command run.
 */
export interface Fault {
  id: string;
  match: string;
  count: number | null;
  exit_code?: number;
  stderr?: string;
  stdout?: string;
  hang_ms?: number;
  stdin_bytes?: number;
  when?: 'before' | 'after';
}

export type FaultSpec = Omit<Fault, 'id' | 'count'> & { count?: number | null };

export function faultsPath(root: string): string {
  return join(root, 'faults.json');
}

export function readFaults(root: string): Fault[] {
  const path = faultsPath(root);
  if (!existsSync(path)) return [];
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Fault[];
  } catch {
    return [];
  }
}

export async function addFault(root: string, spec: FaultSpec): Promise<Fault> {
  if (typeof spec.match !== 'string' || spec.match === '') {
    throw new Error('a fault needs a non-empty match pattern');
  }
  const count = spec.count === undefined ? 1 : spec.count;
  if (count !== null && (!Number.isInteger(count) || count < 1)) {
    throw new Error('fault count must be a positive integer (or null for unlimited)');
  }
  if (spec.hang_ms !== undefined && (!Number.isInteger(spec.hang_ms) || spec.hang_ms < 0)) {
    throw new Error('hang_ms must be a non-negative integer');
  }
  if (
    spec.stdin_bytes !== undefined &&
    (!Number.isInteger(spec.stdin_bytes) || spec.stdin_bytes < 0)
  ) {
    throw new Error('stdin_bytes must be a non-negative integer');
  }
  if (
    spec.exit_code !== undefined &&
    (!Number.isInteger(spec.exit_code) || spec.exit_code < 0 || spec.exit_code > 255)
  ) {
    throw new Error('exit_code must be an integer from 0 to 255');
  }
  const fault: Fault = {
    ...spec,
    id: `fault_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    count,
  };
  await withHostLock(root, () => {
    const faults = readFaults(root);
    faults.push(fault);
    writeFileSync(faultsPath(root), JSON.stringify(faults, null, 1));
  });
  return fault;
}

export async function clearFaults(root: string): Promise<void> {
  await withHostLock(root, () => writeFileSync(faultsPath(root), '[]'));
}

/** Finds and consumes the first fault matching `commandLine`; undefined when none applies. */
export async function takeFault(root: string, commandLine: string): Promise<Fault | undefined> {
  // Cheap path first: most invocations run with no faults at all and must not take the lock.
  const quick = readFaults(root);
  if (!quick.some((f) => fnmatch(f.match, commandLine))) return undefined;
  return withHostLock(root, () => {
    const faults = readFaults(root);
    const index = faults.findIndex((f) => fnmatch(f.match, commandLine));
    if (index < 0) return undefined;
    const fault = faults[index]!;
    if (fault.count !== null) {
      fault.count -= 1;
      if (fault.count <= 0) faults.splice(index, 1);
    }
    writeFileSync(faultsPath(root), JSON.stringify(faults, null, 1));
    return fault;
  });
}

export function failsCommand(fault: Fault): boolean {
  return (
    fault.exit_code !== undefined ||
    fault.stderr !== undefined ||
    fault.stdout !== undefined ||
    (fault.hang_ms === undefined && fault.stdin_bytes === undefined)
  );
}
