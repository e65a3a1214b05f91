import type { Ctx } from '../../../context.js';
import type { DownloadProgress } from './outbound-fetch.js';

/** Logs a download's progress at most every 5 seconds (a multi-gigabyte image takes a while). */
export function progressLogger(
  ctx: Ctx,
  fields: Record<string, unknown>,
): (p: DownloadProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 5_000) return;
    last = now;
    ctx.log.info({ ...fields, received_bytes: p.received, total_bytes: p.total }, 'image download');
  };
}
