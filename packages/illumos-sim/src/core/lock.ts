import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The host lock: one writer at a time, across processes (an O_EXCL lock file holding the
 * owner's pid) and within a process (a promise chain per state directory, because every
 * in-process caller shares one pid and the file lock alone could not tell them apart).
 * A lock whose owner died (kill -9) is broken after checking the pid is gone.
 */
const chains = new Map<string, Promise<void>>();

export async function withHostLock<T>(root: string, fn: () => Promise<T> | T): Promise<T> {
  const previous = chains.get(root) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  chains.set(root, tail);
  await previous;
  const lockPath = join(root, 'state.lock');
  try {
    await acquireFileLock(lockPath);
    try {
      return await fn();
    } finally {
      releaseFileLock(lockPath);
    }
  } finally {
    release();
    if (chains.get(root) === tail) chains.delete(root);
  }
}

const token = `${process.pid}`;

async function acquireFileLock(path: string): Promise<void> {
  let delay = 1;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, token);
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    breakIfStale(path);
    if (Date.now() > deadline) throw new Error(`illumos-sim: timed out waiting for ${path}`);
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 20);
  }
}

function breakIfStale(path: string): void {
  let owner: string;
  try {
    owner = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  const pid = Number(owner);
  // An empty file is a lock being written right now, not a stale one.
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return;
    try {
      // Re-read just before removing so a lock re-taken by a live process is left alone.
      if (readFileSync(path, 'utf8') === owner) unlinkSync(path);
    } catch {
      // someone else broke it first
    }
  }
}

function releaseFileLock(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone: nothing to release
  }
}
