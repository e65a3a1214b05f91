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
  /** Where and with which certificate the agent said it serves, when it registered. */
  registered_as?: string;
}

export interface StoredCredential {
  credential: string;
  /** `addr` and certificate fingerprint reported at registration (empty when not recorded). */
  registeredAs: string;
}

/**
 * The same controller whatever the scheme: switching it from HTTP to HTTPS (or back) must not
 * lock its hosts out, while a credential never goes to another host or port.
 */
function sameController(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return a === b;
  }
}

const file = (dataDir: string) => join(dataDir, 'controller-credential.json');

export function loadCredential(dataDir: string, controller: string): StoredCredential | null {
  try {
    const stored = JSON.parse(readFileSync(file(dataDir), 'utf8')) as Stored;
    return sameController(stored.controller, controller)
      ? { credential: stored.host_credential, registeredAs: stored.registered_as ?? '' }
      : null;
  } catch {
    return null;
  }
}

/** Written aside and renamed over: a crash mid-write never leaves half a credential. */
export function saveCredential(
  dataDir: string,
  controller: string,
  credential: string,
  registeredAs: string,
): void {
  const body: Stored = { controller, host_credential: credential, registered_as: registeredAs };
  const path = file(dataDir);
  writeFileSync(`${path}.new`, JSON.stringify(body), { mode: 0o600 });
  renameSync(`${path}.new`, path);
}
