/*
 * Test files' temporary directories and clean-ups, shared by the agent's and the controller's
 * tests. Imported as `@apiary/testkit/test-temp`, which is this source file, not the built
 * entry: it registers a vitest hook when loaded, so it must be loaded by the test file's own
 * module graph (one copy per file), and plain Node.js (the dev fleet) must never load it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopZoneDaemon } from '@apiary/illumos-sim';
import { afterAll } from 'vitest';

const dirs: string[] = [];
const cleanups: (() => unknown)[] = [];

// Registered once per test file, when the file imports this module: vitest ignores hooks
// registered inside a test or another hook, where tempDir and onCleanup are mostly called. Hooks
// run as a stack, so this runs after the file's own afterAll. What was started (agents, servers,
// processes) is stopped first, newest first; then each simulated host's console daemon, which
// `zoneadm boot` starts detached; then the directories go.
afterAll(async () => {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  for (const dir of dirs.splice(0)) {
    for (const root of [dir, ...subdirectories(dir)]) await stopZoneDaemon(root);
    rmSync(dir, { recursive: true, force: true });
  }
  if (errors.length > 0) throw errors[0];
});

/** A temporary directory removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `apiary-${prefix}-`));
  dirs.push(dir);
  return dir;
}

/** Runs `cleanup` after the test file, before its temporary directories are removed. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
}
