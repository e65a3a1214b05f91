import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Ctx } from '../../../context.js';

/*
 * Where an image waits on the controller's disk while it is checked, converted or unpacked
 * (`DATA_DIR/staging/<random>/`). The directory goes when the work ends, however it ends; a
 * controller that crashed part-way leaves one behind, removed at the next start.
 */

export function stagingRoot(ctx: Pick<Ctx, 'config'>): string {
  return join(ctx.config.dataDir, 'staging');
}

/**
 * Runs `work` with a fresh private directory, removed afterwards. `name` names it (an intake
 * operation's id: a run adopted after a crash starts by removing what the crashed one left);
 * a random name otherwise.
 */
export async function withStaging<T>(
  ctx: Ctx,
  work: (dir: string) => Promise<T>,
  name?: string,
): Promise<T> {
  const dir = join(stagingRoot(ctx), name ?? randomBytes(8).toString('hex'));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Removes what a crash left in the staging directory, when older than `olderThanMs`: a younger
 * one may be another controller's intake on the same data directory.
 */
export async function sweepStaging(
  ctx: Pick<Ctx, 'config'>,
  olderThanMs: number,
  now = Date.now(),
): Promise<number> {
  const root = stagingRoot(ctx);
  const names = await readdir(root).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const path = join(root, name);
    const info = await stat(path).catch(() => null);
    if (!info || now - info.mtimeMs < olderThanMs) continue;
    await rm(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
