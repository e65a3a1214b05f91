import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The host credential the controller returned at registration, kept in a 0600 file in the data
 * dir together with the controller URL it belongs to (a credential is never sent to another).
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

const file = (dataDir: string) => join(dataDir, 'controller-credential.json');

export function loadCredential(dataDir: string, controller: string): StoredCredential | null {
  try {
    const stored = JSON.parse(readFileSync(file(dataDir), 'utf8')) as Stored;
    return stored.controller === controller
      ? { credential: stored.host_credential, registeredAs: stored.registered_as ?? '' }
      : null;
  } catch {
    return null;
  }
}

export function saveCredential(
  dataDir: string,
  controller: string,
  credential: string,
  registeredAs: string,
): void {
  const body: Stored = { controller, host_credential: credential, registered_as: registeredAs };
  writeFileSync(file(dataDir), JSON.stringify(body), { mode: 0o600 });
}

export function forgetCredential(dataDir: string): void {
  rmSync(file(dataDir), { force: true });
}
