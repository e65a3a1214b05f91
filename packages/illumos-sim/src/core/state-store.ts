import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settleLoad } from '../sys/load-settle.js';
import { withHostLock } from './lock.js';
import type { HostState } from './state-types.js';

/**
 * Loading and saving `state.json`. Writes go to a temporary file renamed over the old one, so a
 * reader without the lock sees either the old or the new state, never half of one. Parsed
 * states are cached per file identity (inode, size, mtime) so in-process callers (benchmarks)
 * do not re-parse an unchanged host on every call; cached objects are shared and read-only.
 */
export class HostNotInitializedError extends Error {}

interface CacheEntry {
  key: string;
  state: HostState;
}
const cache = new Map<string, CacheEntry>();

export function statePath(root: string): string {
  return join(root, 'state.json');
}

export function isInitialized(root: string): boolean {
  return existsSync(statePath(root));
}

function identity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
}

/**
 * A read-only view of the current state. Never mutate the returned object, and do not hold it
 * across an await: an in-process state change may update it in place.
 */
export function readState(root: string): HostState {
  const path = statePath(root);
  const key = identity(path);
  if (key === undefined) {
    throw new HostNotInitializedError(
      `illumos-sim: no simulated host at ${root} (run: apiary-sim init ${root})`,
    );
  }
  const hit = cache.get(root);
  if (hit && hit.key === key) return hit.state;
  const state = JSON.parse(readFileSync(path, 'utf8')) as HostState;
  cache.set(root, { key, state });
  return state;
}

function loadFresh(root: string): HostState {
  const path = statePath(root);
  if (!existsSync(path)) {
    throw new HostNotInitializedError(
      `illumos-sim: no simulated host at ${root} (run: apiary-sim init ${root})`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as HostState;
}

export function writeState(root: string, state: HostState): void {
  // Zone state changes close the load model's runs at the moment they are written.
  settleLoad(state, Date.now());
  const path = statePath(root);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, path);
  const key = identity(path);
  if (key !== undefined) cache.set(root, { key, state });
}

/**
 * Runs `fn` on a private copy of the state under the host lock and saves it when `fn` returns
 * normally. If `fn` throws, nothing is saved: a failing command changes nothing unless it
 * saved a partial result itself first (see `commit` for commands that half-succeed).
 */
export async function updateState<T>(
  root: string,
  fn: (state: HostState, commit: () => void) => Promise<T> | T,
): Promise<T> {
  return withHostLock(root, async () => {
    // Under the lock nobody else can change the file, so a cached parse of the current file
    // is the current state: mutate it in place instead of parsing again. If the change
    // fails part-way the cache is dropped and the file (unchanged) is the truth again.
    const key = identity(statePath(root));
    const hit = cache.get(root);
    const state = hit && hit.key === key ? hit.state : loadFresh(root);
    const commit = () => writeState(root, state);
    try {
      const result = await fn(state, commit);
      writeState(root, state);
      return result;
    } catch (error) {
      cache.delete(root);
      throw error;
    }
  });
}
