import type { MigrationProgress } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

/** Progress is written at most this often: a fast poll must not become a write storm. */
const WRITE_EVERY_MS = 1000;

/**
 * The saga row's `progress`, throttled: what changed is written when the last write is old
 * enough, and always when `force` (the end of a copy).
 */
export class ProgressWriter {
  private lastAt = 0;
  private last = '';

  constructor(
    private readonly ctx: Ctx,
    private readonly sagaId: string,
  ) {}

  async write(progress: MigrationProgress, force = false): Promise<void> {
    const text = JSON.stringify(progress);
    if (text === this.last) return;
    const now = this.ctx.clock.now();
    if (!force && now - this.lastAt < WRITE_EVERY_MS) return;
    this.lastAt = now;
    this.last = text;
    await this.ctx.db
      .update(this.ctx.t.sagas)
      .set({ progress })
      .where(eq(this.ctx.t.sagas.id, this.sagaId));
  }
}
