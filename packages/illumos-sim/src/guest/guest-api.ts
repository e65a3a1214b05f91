import { join } from 'node:path';
import { readState } from '../core/state-store.js';
import { readGuestIdentity } from './guest-identity.js';

/**
 * The node name a simulated VM's guest answers with now (`hostname` in its shell): a name
 * set on its console since it booted, else its cloud-init seed's, else the zone name. For
 * tests that check what a guest was told; undefined for an unknown zone.
 */
export function guestHostname(root: string, zone: string): string | undefined {
  const record = readState(root).zones.find((z) => z.name === zone);
  return record && readGuestIdentity(join(root, 'root'), record).hostname;
}
