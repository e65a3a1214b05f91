import { sleep } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { type Copy, knownExport } from './export-lookup.js';
import { isUnreachable, type MigrationRun, sourceOf } from './migration-agents.js';
import { readMemo } from './migration-memo.js';

/**
 * The undo of a copy: the source forgets the export and destroys its snapshot. An export whose
 * start answer was lost is found by the request id first; one still running (a cut stream
 * being resumed) is waited for, as it cannot be dropped while it streams. The source being
 * out of reach is waited out for the operation timeout: an undo must not give up on a blip.
 */
export async function dropExport(ctx: Ctx, run: MigrationRun, copy: Copy): Promise<void> {
  if ((await readMemo(ctx, run.id)).switched) return;
  const source = await sourceOf(ctx, run);
  const deadline = ctx.clock.now() + ctx.config.operationTimeoutMs;
  for (;;) {
    try {
      const id = await knownExport(ctx, run, source, copy);
      if (!id) return;
      await source.deleteExport({ params: { id } });
      return;
    } catch (error) {
      const e = error as { code?: string; retryable?: boolean };
      if (e.code === 'not_found') return;
      const running = e.code === 'conflict' && e.retryable;
      if ((!running && !isUnreachable(error)) || ctx.clock.now() > deadline) throw error;
      await sleep(500, run.signal).catch(() => {});
    }
  }
}
