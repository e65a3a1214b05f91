import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dirs: string[] = [];

// Registered once per test file, when the file imports this module: vitest ignores hooks
// registered inside a test or another hook, where tempDir is mostly called. Hooks run as a
// stack, so this runs after the file's own afterAll (which stops the agents using the dirs).
// Removing a simulated host's directory also ends its console daemon.
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `apiary-${prefix}-`));
  dirs.push(dir);
  return dir;
}
