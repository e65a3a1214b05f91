import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A vitest globalSetup that leaves the machine as the run found it. Every test run gets its own
 * TMPDIR (os.tmpdir() reads it on each call, and the test workers and every process they spawn
 * inherit it). At the end of the run anything still in that directory, or any process still
 * running from it (an agent, a controller, a simulator's sim-zoneadmd), fails the run with a
 * list, and is then removed or killed anyway. Only node: imports: packages that cannot depend
 * on @apiary/testkit (the simulator, the protocol) use it by path.
 *
 * Set APIARY_TEST_KEEP_TMP=1 to keep the directory (to read a failed fleet's logs); the next run
 * removes it, as it removes the directory of any run that died without its teardown.
 */

const PREFIX = 'apiary-run-';
const RUN_DIR = /^apiary-run-(\d+)(?:-[A-Za-z0-9]{6})?$/;
/** Shared by the projects of one vitest process (each loads its global setups separately). */
const STATE = Symbol.for('apiary.testkit.tmp-guard');
/** A process that is just exiting, or a directory another process is just removing. */
const SETTLE_MS = 5000;

interface GuardState {
  dir: string;
  previous: string | undefined;
  users: number;
}

type GuardGlobal = typeof globalThis & { [STATE]?: GuardState };

export function setup(): void {
  const g = globalThis as GuardGlobal;
  const existing = g[STATE];
  if (existing) {
    existing.users++;
    return;
  }
  const parent = tmpdir();
  removeAbandonedRuns(parent);
  const dir = makeRunDir(parent);
  g[STATE] = { dir, previous: process.env.TMPDIR, users: 1 };
  process.env.TMPDIR = dir;
}

/** `settleMs` is for the guard's own tests; vitest calls this without arguments. */
export async function teardown(settleMs = SETTLE_MS): Promise<void> {
  const g = globalThis as GuardGlobal;
  const state = g[STATE];
  if (!state || --state.users > 0) return;
  g[STATE] = undefined;
  if (state.previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = state.previous;

  const found = await settle(state.dir, settleMs);
  for (const p of found.processes) killQuietly(p.pid);
  // A killed process could still be writing while the directory is being removed.
  await waitForExit(found.processes.map((p) => p.pid));
  const keep = process.env.APIARY_TEST_KEEP_TMP === '1';
  if (!keep) rmSync(state.dir, { recursive: true, force: true, maxRetries: 3 });
  if (found.entries.length === 0 && found.processes.length === 0) return;

  const message = [
    `The test run left things behind in ${state.dir} (a test must remove what it creates and stop what it starts, in afterEach/afterAll):`,
    ...found.entries.map((e) => `  file/dir: ${e}`),
    ...found.processes.map((p) => `  process ${p.pid}: ${p.cmdline}`),
    `The processes have been killed and the files ${keep ? 'kept (APIARY_TEST_KEEP_TMP)' : 'removed'}; fix the test that made them.`,
  ].join('\n');
  process.exitCode = 1;
  const error = new Error(message);
  error.stack = `Error: ${message}`; // where the guard noticed is of no help
  throw error;
}

interface Leftovers {
  entries: string[];
  processes: { pid: number; cmdline: string }[];
}

/** Waits (briefly) for leftovers to go away by themselves; returns what stayed. */
async function settle(dir: string, settleMs: number): Promise<Leftovers> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const found = { entries: readdirSync(dir).sort(), processes: processesUsing(dir) };
    if (found.entries.length + found.processes.length === 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Processes whose environment has TMPDIR=dir, or whose command line or working directory is
 * inside dir (sim-zoneadmd gets its host directory as an argument). Linux /proc only; other
 * systems get the directory check alone. The vitest process and its own workers are excluded.
 */
function processesUsing(dir: string): { pid: number; cmdline: string }[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!cmdline) continue; // a zombie or a kernel thread
      if (parentOf(pid) === process.pid && cmdline.includes('vitest')) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (
        env.includes(`TMPDIR=${dir}`) ||
        cmdline.includes(dir) ||
        cwd === dir ||
        cwd.startsWith(`${dir}/`)
      )
        found.push({ pid, cmdline: cmdline.slice(0, 300) });
    } catch {
      // gone meanwhile, or another user's process
    }
  }
  return found;
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * As short a name as will do: simulated hosts under it hold unix sockets (a VM's vm.vnc), and a
 * socket's path may not exceed 107 bytes. The pid makes it unique among live runs.
 */
function makeRunDir(parent: string): string {
  const dir = join(parent, `${PREFIX}${process.pid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
    return dir;
  } catch {
    // taken (another user's run with our pid, say): any free name will do
    return mkdtempSync(`${dir}-`);
  }
}

async function waitForExit(pids: number[]): Promise<void> {
  const deadline = Date.now() + 2000;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** Run directories of vitest processes that died without their teardown (kill -9, a crash). */
function removeAbandonedRuns(parent: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    const match = RUN_DIR.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid <= 0 || isAlive(pid)) continue;
    try {
      rmSync(join(parent, name), { recursive: true, force: true });
    } catch {
      // another user's, or being removed by someone else
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
