import { createHash, randomBytes } from 'node:crypto';
import type { AgentApiKey, AgentRole } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { count, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { apiKeys } from '../db/schema.js';

/*
 * Agent API keys: `wh_` + 64 hex characters (256 random bits), shown once and stored as sha256.
 * A key's hash is its lookup index, so checking a presented key never compares secrets directly.
 */

const RANK: Record<AgentRole, number> = { viewer: 1, operator: 2, admin: 3 };

export function roleAllows(held: AgentRole, needed: AgentRole): boolean {
  return RANK[held] >= RANK[needed];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

type KeyRow = typeof apiKeys.$inferSelect;

export function toAgentApiKey(row: KeyRow): AgentApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    created_at: row.createdAt,
    last_used_at: row.lastUsedAt,
  };
}

/** Mint a key; returns the stored record and the clear key (which is never stored). */
export function createApiKey(
  db: Db,
  input: { name: string; role: AgentRole; purpose?: 'user' | 'controller' },
  now = new Date(),
): { record: AgentApiKey; key: string } {
  const key = `wh_${randomBytes(32).toString('hex')}`;
  const row = db
    .insert(apiKeys)
    .values({
      id: newId('key'),
      name: input.name,
      role: input.role,
      prefix: key.slice(0, 10),
      hash: hashKey(key),
      purpose: input.purpose ?? 'user',
      createdAt: now.toISOString(),
    })
    .returning()
    .get();
  return { record: toAgentApiKey(row), key };
}

/** The key's record when `key` is a live key, else null. */
export function verifyApiKey(db: Db, key: string, now = new Date()): KeyRow | null {
  if (!/^wh_[0-9a-f]{32,64}$/.test(key)) return null;
  const row = db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.hash, hashKey(key)))
    .get();
  if (!row) return null;
  // Coarse last-used stamp: at most one write per key per minute.
  if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > 60_000) {
    db.update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(eq(apiKeys.id, row.id)).run();
  }
  return row;
}

export function listApiKeys(db: Db, limit: number, offset: number) {
  const rows = db
    .select()
    .from(apiKeys)
    .orderBy(apiKeys.createdAt)
    .limit(limit)
    .offset(offset)
    .all();
  const total = db.select({ n: count() }).from(apiKeys).get()?.n ?? 0;
  return { items: rows.map(toAgentApiKey), total };
}

export function deleteApiKey(db: Db, id: string): boolean {
  return db.delete(apiKeys).where(eq(apiKeys.id, id)).run().changes > 0;
}

/**
 * Replace the controller's key (one per registration), returning the new clear key. It is an
 * admin key: the controller administers the host's links, networks and storage for the
 * people it lets (issue 14), and a key of a lower role would have every such call refused.
 */
export function rotateControllerKey(db: Db): string {
  return db.transaction((tx) => {
    tx.delete(apiKeys).where(eq(apiKeys.purpose, 'controller')).run();
    return createApiKey(tx as unknown as Db, {
      name: 'controller',
      role: 'admin',
      purpose: 'controller',
    }).key;
  });
}

export function countUserKeys(db: Db): number {
  return db.select({ n: count() }).from(apiKeys).where(eq(apiKeys.purpose, 'user')).get()?.n ?? 0;
}
