import type { AuditEvent } from '@apiary/protocol';
import type { Command } from 'commander';
import { withContext } from '../lib/context.js';
import { table } from '../lib/output.js';

interface AuditOptions {
  resource?: string;
  actor?: string;
  since?: string;
  org?: string;
  limit: string;
}

/** `web` from `env:web`; the kind alone when no id was kept. */
function resourceLabel(e: AuditEvent): string {
  return e.resource.id ? `${e.resource.kind} ${e.resource.id}` : e.resource.kind;
}

/** `alice (key)`, `sim-host-1 (host)`, `reaper (controller)`. */
function actorLabel(e: AuditEvent): string {
  const by: Record<AuditEvent['actor']['kind'], string> = {
    user: '',
    api_key: ' (key)',
    localhost: '',
    host: ' (host)',
    system: ' (controller)',
  };
  return `${e.actor.name}${by[e.actor.kind]}`;
}

function outcomeLabel(e: AuditEvent): string {
  return e.outcome === 'failed' && e.error_code ? `failed: ${e.error_code}` : e.outcome;
}

export function renderAudit(items: AuditEvent[]): string {
  return table(
    ['TIME', 'ACTOR', 'ACTION', 'RESOURCE', 'OUTCOME', 'FROM'],
    items.map((e) => [
      e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      actorLabel(e),
      e.action,
      resourceLabel(e),
      outcomeLabel(e),
      e.source ?? '-',
    ]),
  );
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('who changed what, newest first (your organization; super-admins see all)')
    .option('--resource <kind[:id]>', 'one kind of resource (env) or one resource (env:web)')
    .option('--actor <name>', 'a username, hostname, or reaper / drain / liveness')
    .option('--since <when>', 'how long ago (90m, 2d) or an ISO time')
    .option('--org <id>', 'super-admins: one organization')
    .option('--limit <n>', 'entries to show', '50')
    .action(
      withContext(async (ctx, o: AuditOptions) => {
        const query = {
          resource: o.resource,
          actor: o.actor,
          since: o.since,
          org: o.org,
          limit: Number(o.limit),
        };
        const page = await ctx.client().listAudit({ query });
        ctx.out.result(page.items, renderAudit);
      }),
    );
}
