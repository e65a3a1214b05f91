import { type AgentClient, ApiError, type LinkUsage } from '@apiary/protocol';
import { inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { HostRow } from '../hosts/host-view.js';

/*
 * Usage history lives on each agent (bounded in-memory rings); the controller passes it
 * through. A host that cannot answer gets a prompt, plain refusal: one attempt with a short
 * timeout (a chart or `apiary ... top` asks again on its next refresh), never a hang.
 */

/** Per-attempt timeout of a stats call: enough for an answer read from memory. */
export const STATS_TIMEOUT_MS = 5000;

/** Calls the host's agent for stats, turning every way it can fail into an answer for people. */
export async function askAgentForStats<T>(
  ctx: Ctx,
  host: HostRow,
  call: (client: AgentClient, options: { timeoutMs: number; retries: number }) => Promise<T>,
  /** What the agent's 404 means for this call: its code here, and words after the host's name. */
  notFound: { code: 'conflict' | 'upstream_failed'; msg: string },
): Promise<T> {
  if ((ctx.liveness.state(host.id) ?? host.liveness) === 'down') {
    throw refusal('unavailable', `host ${host.hostname} is down (no recent heartbeat)`);
  }
  const timeoutMs = Math.min(STATS_TIMEOUT_MS, ctx.config.agentTimeoutMs);
  try {
    return await call(ctx.agents.forHost(host), { timeoutMs, retries: 0 });
  } catch (error) {
    throw explain(host, timeoutMs, error, notFound);
  }
}

function refusal(code: 'unavailable' | 'upstream_failed' | 'conflict', msg: string): ApiError {
  return new ApiError(code, msg, { forClient: true, retryable: false });
}

function explain(
  host: HostRow,
  timeoutMs: number,
  error: unknown,
  notFound: { code: 'conflict' | 'upstream_failed'; msg: string },
): ApiError {
  const name = host.hostname;
  if (!(error instanceof ApiError)) {
    return refusal('upstream_failed', `host ${name} failed to answer: ${String(error)}`);
  }
  switch (error.code) {
    case 'timeout':
      return refusal('unavailable', `host ${name} did not answer within ${timeoutMs / 1000}s`);
    case 'unavailable':
      return refusal('unavailable', `host ${name} does not answer: ${error.message}`);
    case 'precondition_failed':
      // The pinned certificate changed: the error already tells the operator what to do.
      return error;
    case 'not_found':
      return refusal(notFound.code, `host ${name} ${notFound.msg}`);
    case 'unauthenticated':
    case 'forbidden':
      return refusal(
        'upstream_failed',
        `host ${name} refused the controller's agent key (${error.code})`,
      );
    default:
      return refusal('upstream_failed', `host ${name} could not give its usage (${error.code})`);
  }
}

/**
 * Agents name VMs by the controller's internal ids (zone names); users know them by their
 * names. Rewrites `vm_id` and `zone` of each link of a known VM; other zones keep their names.
 */
export async function vmNamesOf(ctx: Ctx, links: LinkUsage[]): Promise<Map<string, string>> {
  const ids = [...new Set(links.flatMap((l) => (l.vm_id ? [l.vm_id] : [])))];
  if (ids.length === 0) return new Map();
  const { vms } = ctx.t;
  const rows = await ctx.db
    .select({ id: vms.id, name: vms.name })
    .from(vms)
    .where(inArray(vms.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function renameLinks(links: LinkUsage[], names: Map<string, string>): LinkUsage[] {
  return links.map((l) => {
    const name = l.vm_id ? names.get(l.vm_id) : undefined;
    if (!name) return l;
    return { ...l, vm_id: name, zone: l.zone === l.vm_id ? name : l.zone };
  });
}
