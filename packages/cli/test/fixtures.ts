import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dirs: string[] = [];

// Registered once per test file, when the file imports this module: vitest ignores hooks
// registered inside a test, where tempDir is mostly called.
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A syntactically valid ed25519 public key line. */
export function sshKey(comment = 'alice@laptop'): string {
  const type = 'ssh-ed25519';
  const blob = Buffer.concat([
    Buffer.from([0, 0, 0, type.length]),
    Buffer.from(type),
    Buffer.from([0, 0, 0, 32]),
    Buffer.alloc(32, 7),
  ]).toString('base64');
  return `${type} ${blob} ${comment}`;
}

/** A temporary directory removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-cli-'));
  dirs.push(dir);
  return dir;
}
