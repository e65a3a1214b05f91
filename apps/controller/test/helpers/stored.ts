import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import type { Harness } from './harness.js';

/** What the controller holds of images: records, blobs and staged leftovers (all must be 0). */
export async function storedCounts(h: Harness) {
  const { ctx } = h.core;
  const records = (await ctx.db.select({ n: count() }).from(ctx.t.images))[0]?.n ?? 0;
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return {
    records,
    blobs: list(join(h.dataDir, 'images')).length,
    staged: list(join(h.dataDir, 'staging')).length,
  };
}

export const NOTHING = { records: 0, blobs: 0, staged: 0 };
