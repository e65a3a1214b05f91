import { formatMiB } from '@apiary/protocol';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { details } from '../lib/output.js';
import { usageLine } from './render-top.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('the fleet at a glance (scoped to your organization)')
    .action(
      withContext(async (ctx) => {
        const s = await ctx.client().status();
        ctx.out.result(s, () => {
          const by = (m: Record<string, number>) =>
            Object.entries(m)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ') || 'none';
          return details([
            [
              'hosts',
              `${s.hosts.total} (${s.hosts.ready} ready, ${s.hosts.suspect} suspect, ${s.hosts.down} down)`,
            ],
            [
              'policy',
              `${s.hosts.eligible} eligible, ${s.hosts.draining} draining, ${s.hosts.maintenance} maintenance`,
            ],
            ['cpu', `${s.capacity.reserved.cpu} of ${s.capacity.total.cpu} reserved`],
            [
              'memory',
              `${formatMiB(s.capacity.reserved.mem)} of ${formatMiB(s.capacity.total.mem)} reserved`,
            ],
            [
              'disk',
              `${formatMiB(s.capacity.reserved.disk)} of ${formatMiB(s.capacity.total.disk)} reserved`,
            ],
            [
              'usage',
              s.usage
                ? `${usageLine(s.usage, s.usage.oldest_sampled_at)}, over ${s.usage.hosts} host${s.usage.hosts === 1 ? '' : 's'}`
                : usageLine(null, null),
            ],
            ['environments', `${s.envs.total} (${by(s.envs.by_state)})`],
            ['vms', `${s.vms.total} (${by(s.vms.by_state)})`],
            ['images', s.images],
            ['controller', s.version],
          ]);
        });
      }),
    );
}
