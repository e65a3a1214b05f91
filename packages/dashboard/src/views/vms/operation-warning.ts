import type { VmOperation } from '@apiary/protocol';

/**
 * The warning a running operation carries, e.g. a migration whose old host has not removed its
 * copy yet (the controller retries it): shown under its step until the operation ends.
 */
export function operationWarning(o: Pick<VmOperation, 'state' | 'warning'>): string | null {
  return o.state === 'running' && o.warning ? o.warning : null;
}
