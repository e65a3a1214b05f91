import { ENV_NETWORK_PREFIX, type OverlayEntry } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { envOverlays } from '../db/schema.js';

/* Rows of environment overlays (issue 14). */

export type EnvOverlayRow = typeof envOverlays.$inferSelect;

export function listEnvOverlayRows(db: Db): EnvOverlayRow[] {
  return db.select().from(envOverlays).all();
}

export function getEnvOverlayRow(db: Db, envId: string): EnvOverlayRow | undefined {
  return db.select().from(envOverlays).where(eq(envOverlays.envId, envId)).get();
}

export function insertEnvOverlayRow(db: Db, row: EnvOverlayRow): void {
  db.insert(envOverlays).values(row).run();
}

export function setEnvOverlayEntries(db: Db, envId: string, entries: OverlayEntry[]): void {
  db.update(envOverlays)
    .set({ entries: JSON.stringify(entries) })
    .where(eq(envOverlays.envId, envId))
    .run();
}

export function markEnvOverlayReady(db: Db, envId: string): void {
  db.update(envOverlays).set({ state: 'ready' }).where(eq(envOverlays.envId, envId)).run();
}

export function deleteEnvOverlayRow(db: Db, envId: string): void {
  db.delete(envOverlays).where(eq(envOverlays.envId, envId)).run();
}

export function entriesOf(row: EnvOverlayRow): OverlayEntry[] {
  return JSON.parse(row.entries) as OverlayEntry[];
}

/** The overlay a VM NIC's `env-<vni>` network names, if this host has it. */
export function envOverlayOfNetwork(db: Db, network: string): EnvOverlayRow | undefined {
  const vni = Number(network.slice(ENV_NETWORK_PREFIX.length));
  if (!network.startsWith(ENV_NETWORK_PREFIX) || !Number.isInteger(vni)) return undefined;
  return db.select().from(envOverlays).where(eq(envOverlays.vni, vni)).get();
}
