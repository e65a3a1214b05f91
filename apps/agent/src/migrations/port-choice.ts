import { ApiError } from '@apiary/protocol';
import type { Db } from '../db/open.js';
import { portAllocations } from '../db/schema.js';
import { allPortRows } from '../vms/vm-store.js';

/**
 * Host ports for a VM arriving from another host: each guest port keeps the host port it had
 * there when that port is in this host's range and free here, and takes the lowest free one
 * otherwise (so its port map changes only where it must).
 */
export function allocateKeptPorts(
  db: Db,
  vmId: string,
  guestPorts: number[],
  before: Record<string, number>,
  range: [number, number],
): Array<{ hostPort: number; guestPort: number }> {
  const taken = new Set(allPortRows(db).map((r) => r.hostPort));
  const inRange = (p: number) => p >= range[0] && p <= range[1];
  const chosen = new Map<number, number>();
  for (const guest of guestPorts) {
    const previous = before[String(guest)];
    if (previous !== undefined && inRange(previous) && !taken.has(previous)) {
      chosen.set(guest, previous);
      taken.add(previous);
    }
  }
  let candidate = range[0];
  for (const guest of guestPorts) {
    if (chosen.has(guest)) continue;
    while (candidate <= range[1] && taken.has(candidate)) candidate++;
    if (candidate > range[1]) {
      throw new ApiError(
        'insufficient_capacity',
        `no free host port in ${range[0]}-${range[1]} (${taken.size} in use)`,
      );
    }
    chosen.set(guest, candidate);
    taken.add(candidate);
  }
  const result = guestPorts.map((guestPort) => ({ guestPort, hostPort: chosen.get(guestPort)! }));
  for (const p of result)
    db.insert(portAllocations)
      .values({ vmId, ...p })
      .run();
  return result;
}
