import type { Resources } from '@apiary/protocol';
import { refuseShortfall } from '../capacity/host-capacity.js';
import type { Db } from '../db/open.js';
import type { StorageContext } from './storage-context.js';
import { insertApiDataset, setCharge } from './storage-dataset-store.js';

const MiB = 1024 * 1024;

/** What a dataset takes from the VM pool: the larger of what it uses and what it reserves. */
export function chargeOf(
  layout: { pool: string },
  ds: { name: string; used: number; reservation: number | null },
): number {
  if (ds.name.split('/')[0] !== layout.pool) return 0;
  return Math.max(ds.used, ds.reservation ?? 0);
}

/** `bytes` more on the VM pool, refused when the host cannot take them. */
function refuseBytes(tx: Db, total: Resources, bytes: number) {
  if (bytes <= 0) return;
  refuseShortfall(
    tx,
    total,
    { cpu: 0, mem: 0, disk: Math.ceil(bytes / MiB) },
    ' (VMs hold the rest)',
  );
}

/**
 * Record a dataset about to be created, charging `bytes` (what it will reserve on the VM pool)
 * in the same transaction that checks the host can take it. False when a row of that name was
 * there already: it is not this create's to remove if the create fails.
 */
export async function reserveDataset(
  ctx: StorageContext,
  row: { name: string; type: 'filesystem' | 'volume'; bytes: number },
): Promise<boolean> {
  const pool = row.name.split('/')[0] as string;
  const bytes = pool === ctx.layout.pool ? row.bytes : 0;
  const total = bytes > 0 ? await ctx.resources.require() : null;
  return ctx.db.transaction((txDb) => {
    const tx = txDb as unknown as Db;
    if (total) refuseBytes(tx, total, bytes);
    return insertApiDataset(tx, {
      name: row.name,
      pool,
      type: row.type,
      chargedBytes: bytes,
      swap: false,
      createdAt: new Date().toISOString(),
    });
  });
}

/** Grow (or shrink) an API dataset's charge, refusing growth the host cannot take. */
export async function recharge(
  ctx: StorageContext,
  name: string,
  from: number,
  to: number,
): Promise<void> {
  const total = to > from ? await ctx.resources.require() : null;
  ctx.db.transaction((txDb) => {
    const tx = txDb as unknown as Db;
    if (total) refuseBytes(tx, total, to - from);
    setCharge(tx, name, to);
  });
}

/** Refuse `bytes` more on the VM pool when the host cannot take them (nothing recorded). */
export async function checkCapacity(ctx: StorageContext, bytes: number): Promise<void> {
  if (bytes <= 0) return;
  const total = await ctx.resources.require();
  ctx.db.transaction((txDb) => refuseBytes(txDb as unknown as Db, total, bytes));
}
