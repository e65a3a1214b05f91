import type { AgentImageFormat } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { DbOrTx } from '../../db/database.js';
import type { images } from '../../db/pg-schema.js';
import { isUniqueViolation } from '../sagas/saga-engine.js';
import type { StoredBlob } from './blob-store.js';
import { checkQuota } from './image-quota.js';

type Row = typeof images.$inferSelect;

/** The registry box an image came from. */
export interface BoxRecord {
  name: string;
  version: string;
  provider: string;
  registryId: string | null;
}

/** Every column of an image but the ones the stored blob gives (id, digest, size, time). */
/** A new image has no default recipe: one is set on the image afterwards (`default-recipe`). */
type ImageMeta = Omit<Row, 'id' | 'digest' | 'size' | 'createdAt' | 'format' | 'defaultRecipe'> & {
  format: AgentImageFormat;
};

async function ownRecord(ctx: Ctx, db: DbOrTx, digest: string, orgId: string | null) {
  const { images } = ctx.t;
  const scope = orgId === null ? isNull(images.orgId) : eq(images.orgId, orgId);
  return (
    await db
      .select()
      .from(images)
      .where(and(eq(images.digest, digest), scope))
  )[0];
}

/**
 * Records a stored blob as the organization's image, unless it already has it. The quota is
 * checked again inside the transaction, so uploads side by side cannot together exceed it.
 * Two controllers recording the same image at once (one database, one blob store): both look,
 * see nothing, and insert; the unique index refuses the second, which then answers with the
 * first one's record, as it would have a moment later.
 */
export async function recordImage(
  ctx: Ctx,
  blob: StoredBlob,
  meta: ImageMeta,
): Promise<{ row: Row; created: boolean }> {
  const { images } = ctx.t;
  try {
    return await ctx.db.transaction(async (tx) => {
      const existing = await ownRecord(ctx, tx, blob.digest, meta.orgId);
      if (existing) return { row: existing, created: false };
      if (meta.orgId !== null)
        await checkQuota(ctx.t, tx, ctx.config.orgImageQuotaBytes, meta.orgId, blob.size);
      const row: Row = {
        ...meta,
        id: newId('img'),
        digest: blob.digest,
        size: blob.size,
        createdAt: ctx.clock.now(),
        defaultRecipe: null,
      };
      await tx.insert(images).values(row);
      return { row, created: true };
    });
  } catch (error) {
    const winner = isUniqueViolation(error)
      ? await ownRecord(ctx, ctx.db, blob.digest, meta.orgId)
      : undefined;
    if (!winner) throw error;
    return { row: winner, created: false };
  }
}
