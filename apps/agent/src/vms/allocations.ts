import { ApiError } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { portAllocations } from '../db/schema.js';
import { allPortRows, usedSlots } from './vm-store.js';

/*
 * Network slots (IP + VNIC) and forwarded host ports. Both are allocated inside the create
 * transaction and released only once the host no longer holds what used them, so a slot whose
 * VNIC might still exist is never handed to another VM. Running out is a clear 409, never a
 * silently missing forward.
 */

export function allocateSlot(db: Db, maxSlot: number): number {
  const used = usedSlots(db);
  for (let slot = 1; slot <= maxSlot; slot++) if (!used.has(slot)) return slot;
  throw new ApiError('insufficient_capacity', 'no free address in the NAT subnet');
}

export function allocatePorts(
  db: Db,
  vmId: string,
  guestPorts: number[],
  range: [number, number],
): Array<{ hostPort: number; guestPort: number }> {
  const taken = new Set(allPortRows(db).map((r) => r.hostPort));
  const result: Array<{ hostPort: number; guestPort: number }> = [];
  let candidate = range[0];
  for (const guestPort of guestPorts) {
    while (candidate <= range[1] && taken.has(candidate)) candidate++;
    if (candidate > range[1]) {
      throw new ApiError(
        'insufficient_capacity',
        `no free host port in ${range[0]}-${range[1]} (${taken.size} in use)`,
      );
    }
    result.push({ hostPort: candidate, guestPort });
    taken.add(candidate);
  }
  for (const p of result)
    db.insert(portAllocations)
      .values({ vmId, ...p })
      .run();
  return result;
}

/** Free host ports not allocated yet, for /metrics and info. */
export function freePortCount(db: Db, range: [number, number]): number {
  return range[1] - range[0] + 1 - allPortRows(db).length;
}
