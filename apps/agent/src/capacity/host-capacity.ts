import type { Resources } from '@apiary/protocol';
import { ApiError } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { vmSnapshots, vms } from '../db/schema.js';
import type { HostExec } from '../host/exec.js';
import { readCpuCount, readMemoryMiB } from '../host/host-resources.js';
import { getPool } from '../host/zpool.js';
import { chargedBytesTotal } from '../storage/storage-dataset-store.js';

/*
 * Host capacity: totals read from the host through the command layer (CPUs, memory, pool size),
 * cached and refreshed in the background so `GET /api/info` and heartbeats never wait on a
 * host command; used = what VMs reserve, summed in the database.
 */
export class HostResources {
  private totals: Resources | null = null;

  constructor(
    private readonly exec: HostExec,
    private readonly pool: string,
    private readonly log: Logger,
  ) {}

  async refresh(): Promise<Resources> {
    const [cpu, mem, pool] = await Promise.all([
      readCpuCount(this.exec),
      readMemoryMiB(this.exec),
      getPool(this.exec, this.pool),
    ]);
    const totals = { cpu, mem, disk: Math.floor(pool.size / (1024 * 1024)) };
    if (JSON.stringify(totals) !== JSON.stringify(this.totals)) {
      this.log.info(totals, 'host resources');
    }
    this.totals = totals;
    return totals;
  }

  /** Last totals read; zeros until the first read succeeded. */
  total(): Resources {
    return this.totals ?? { cpu: 0, mem: 0, disk: 0 };
  }

  /** Totals, reading them now if they were never read (a create must not guess capacity). */
  async require(): Promise<Resources> {
    if (this.totals) return this.totals;
    try {
      return await this.refresh();
    } catch (error) {
      throw new ApiError('unavailable', 'host resources could not be read', { cause: error });
    }
  }
}

/**
 * What VMs hold: their reservations (boot disk and data disks) and the space their snapshots
 * keep (bytes only a snapshot still references, as last measured), in MiB; plus what datasets
 * made through the storage API on the VM pool hold or reserve.
 */
export function usedResources(db: Db): Resources {
  const row = db
    .select({
      cpu: sql<number>`coalesce(sum(${vms.cpu}), 0)`,
      mem: sql<number>`coalesce(sum(${vms.mem}), 0)`,
      disk: sql<number>`coalesce(sum(${vms.disk}), 0)`,
      dataDisks: sql<number>`coalesce(sum((select sum(json_extract(value, '$.size')) from json_each(${vms.disks}))), 0)`,
    })
    .from(vms)
    .where(eq(vms.reserved, true))
    .get();
  const snaps = db
    .select({ bytes: sql<number>`coalesce(sum(${vmSnapshots.usedBytes}), 0)` })
    .from(vmSnapshots)
    .get();
  const snapshotMiB = Math.ceil(Number(snaps?.bytes ?? 0) / (1024 * 1024));
  const datasetMiB = Math.ceil(chargedBytesTotal(db) / (1024 * 1024));
  return {
    cpu: Number(row?.cpu ?? 0),
    mem: Number(row?.mem ?? 0),
    disk: Number(row?.disk ?? 0) + Number(row?.dataDisks ?? 0) + snapshotMiB + datasetMiB,
  };
}

/** Which resources a request would push over the totals, e.g. ["cpu 10 > 8"]. */
export function capacityShortfall(total: Resources, used: Resources, want: Resources): string[] {
  const out: string[] = [];
  for (const k of ['cpu', 'mem', 'disk'] as const) {
    if (used[k] + want[k] > total[k])
      out.push(`${k}: ${used[k]} used + ${want[k]} requested > ${total[k]}`);
  }
  return out;
}

/**
 * Refuses what the host cannot take on top of what is reserved now. Called inside the
 * transaction that then reserves it, so two requests never both take the last room.
 * `note` is said after the shortfall (who holds the rest, when that helps the caller).
 */
export function refuseShortfall(tx: Db, total: Resources, want: Resources, note = ''): void {
  const shortfall = capacityShortfall(total, usedResources(tx), want);
  if (shortfall.length > 0) {
    throw new ApiError(
      'insufficient_capacity',
      `not enough capacity on this host: ${shortfall.join('; ')}${note}`,
      { details: shortfall },
    );
  }
}
