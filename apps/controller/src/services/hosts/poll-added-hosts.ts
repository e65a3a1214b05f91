import { createHash } from 'node:crypto';
import {
  type AgentClient,
  type AgentVm,
  ApiError,
  type Inventory,
  type UsageSummary,
} from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { hosts } from '../../db/pg-schema.js';
import { mapBounded } from '../../lib/limit.js';
import type { Lease } from '../leases/lease.js';
import { applyInventory, publishVmChanges } from './apply-inventory.js';
import { polledUsageIsNews, recordUsage } from './host-usage.js';
import { persistTransitions } from './persist-liveness.js';

const PAGE = 1000;

/**
 * Hosts added by address have no heartbeats of their own: the controller asks them. A successful
 * poll counts as a heartbeat; the inventory is applied only when it changed, and the usage
 * summary (`GET /stats`) stored only when it moved as a heartbeat's would have to.
 */
export function createAddedHostPoller(ctx: Ctx) {
  /** Fingerprint of the last inventory applied per host: a poll with nothing new writes nothing. */
  const seen = new Map<string, string>();
  return { poll: (lease?: Lease) => pollAddedHosts(ctx, seen, lease) };
}

/** `lease`: the poll pass's, when it runs as one controller's singleton pass. */
async function pollAddedHosts(
  ctx: Ctx,
  seen: Map<string, string>,
  lease: Lease | undefined,
): Promise<void> {
  const { hosts } = ctx.t;
  const rows = await ctx.db.select().from(hosts).where(eq(hosts.source, 'added'));
  await mapBounded(rows, 8, async (host) => {
    let inventory: Inventory;
    try {
      inventory = await fetchInventory(ctx, host);
    } catch (error) {
      ctx.log.debug({ host_id: host.id, error: String(error) }, 'poll failed');
      return;
    }
    const transition = ctx.liveness.seen(host.id);
    if (transition) await persistTransitions(ctx, [transition]);
    await pollUsage(ctx, host);
    const fingerprint = createHash('sha256').update(JSON.stringify(inventory)).digest('hex');
    if (seen.get(host.id) === fingerprint) return;
    const generation = ctx.liveness.ackGeneration(host.id) + 1;
    const inv = { ...inventory, generation };
    const changes = await ctx.db.transaction(async (tx) => {
      await lease?.check(tx);
      return applyInventory(ctx, tx, ctx.clock.now(), host.id, inv);
    });
    ctx.liveness.setAckGeneration(host.id, generation);
    seen.set(host.id, fingerprint);
    publishVmChanges(ctx, host.id, changes);
  });
}

async function fetchInventory(ctx: Ctx, host: typeof hosts.$inferSelect): Promise<Inventory> {
  const client = ctx.agents.forHost(host);
  const info = await client.info();
  const vms: AgentVm[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.listVms({ query: { limit: PAGE, offset } });
    vms.push(...page.items);
    if (page.items.length < PAGE || vms.length >= page.total) break;
  }
  const networks = await networksOf(client);
  return {
    generation: 0,
    ...(networks ? { networks } : {}),
    resources: info.resources,
    images: [...new Set(info.images.map((i) => i.digest))],
    vms: vms.map((v) => ({
      id: v.id,
      env_id: v.env_id,
      state: v.state,
      error: v.error,
      ip: v.ip,
      port_map: v.port_map,
      generation: v.generation,
    })),
  };
}

/** The networks VMs can join there, as a heartbeat's inventory has them; none before issue 14. */
async function networksOf(client: AgentClient): Promise<Inventory['networks']> {
  try {
    const { items } = await client.listNetworks();
    return items.map((n) => ({ name: n.name, kind: n.kind }));
  } catch (error) {
    if (error instanceof ApiError && error.code === 'not_found') return undefined;
    throw error;
  }
}

/** The host's usage summary, stored when it is news; an agent without `/stats` has none. */
async function pollUsage(ctx: Ctx, host: typeof hosts.$inferSelect): Promise<void> {
  let usage: UsageSummary | null;
  try {
    usage = (await ctx.agents.forHost(host).statsSummary()).usage;
  } catch (error) {
    ctx.log.debug({ host_id: host.id, error: String(error) }, 'usage poll failed');
    return;
  }
  if (usage && polledUsageIsNews(host.usage, usage)) await recordUsage(ctx, host.id, usage);
}
