import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'apiary-cli-'));
}
