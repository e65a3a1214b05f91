import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The host credential the controller issued, kept in a 0600 file in the data dir together with
 * the controller URL it belongs to (a credential is never sent to another). It outlives
 * restarts: re-registering a host the controller knows needs it. Losing it locks the host out
 * until an operator resets it (`apiary hosts reset-credential`).
 */

interface Stored {
  controller: string;
  host_credential: string;
}

const file = (dataDir: string) => join(dataDir, 'controller-credential.json');

export function loadCredential(dataDir: string, controller: string): string | null {
  try {
    const stored = JSON.parse(readFileSync(file(dataDir), 'utf8')) as Stored;
    return stored.controller === controller ? stored.host_credential : null;
  } catch {
    return null;
  }
}

/** Written aside and renamed over: a crash mid-write never leaves half a credential. */
export function saveCredential(dataDir: string, controller: string, credential: string): void {
  const body: Stored = { controller, host_credential: credential };
  const path = file(dataDir);
  writeFileSync(`${path}.new`, JSON.stringify(body), { mode: 0o600 });
  renameSync(`${path}.new`, path);
}
