import type { Command } from 'commander';
import { type CliContext, withContext } from '../lib/context.js';
import { durationFlag } from '../lib/duration-flag.js';
import { UsageError } from '../lib/errors.js';
import { runLiveView } from '../lib/live-view.js';

interface TopOptions {
  interval: string;
  count?: string;
}

/**
 * Adds `top` under `parent`: a live view of `rows`, sorted by CPU, refreshed every
 * `--interval`; with `--json`, one snapshot of the same rows.
 */
export function registerTop<T>(
  parent: Command,
  what: string,
  rows: (ctx: CliContext) => Promise<T[]>,
  render: (rows: T[]) => string,
): void {
  parent
    .command('top')
    .description(
      `${what} sorted by CPU use, refreshed live (q or Ctrl-C quits; --json: one snapshot)`,
    )
    .option('--interval <duration>', 'time between refreshes, e.g. 2s, 10s', '3s')
    .option('--count <n>', 'stop after this many refreshes')
    .action(
      withContext(async (ctx, o: TopOptions) => {
        const intervalS = durationFlag('--interval', o.interval);
        const count = o.count === undefined ? undefined : Number(o.count);
        if (count !== undefined && !(Number.isInteger(count) && count > 0)) {
          throw new UsageError('--count is a whole number of refreshes, at least 1');
        }
        if (ctx.out.json) return ctx.out.result(await rows(ctx), render);
        await runLiveView(`apiary ${parent.name()} top`, async () => render(await rows(ctx)), {
          intervalMs: intervalS * 1000,
          count,
        });
      }),
    );
}
