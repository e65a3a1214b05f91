import type { UsageSummary } from '@apiary/protocol';
import { and, asc, desc, eq, gte, inArray, isNull, lt, max, min, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tables } from '../../db/database.js';
import type { Candidate, Strategy, VmDemand } from './plan.js';

/*
 * Candidate hosts for placement, read so that both engines walk an index: the best hosts by
 * free memory through `hosts_free_mem` (most first for spread, least that still fits for
 * binpack), and a window of the hosts holding an image through `host_images_digest`
 * (digest, host_id). The cost depends on how many candidates are needed, not on the size of
 * the fleet. The free-memory expression is spelled exactly as in the index.
 */

type HostsTable = Tables['hosts'];

/** The columns placement reads of a host (also the candidate index's rows). */
export function columns(h: HostsTable) {
  return {
    id: h.id,
    hostname: h.hostname,
    liveness: h.liveness,
    policy: h.policy,
    orgId: h.orgId,
    engines: h.engines,
    networks: h.networks,
    presented: h.tlsPresentedFingerprint,
    totalCpu: h.totalCpu,
    totalMem: h.totalMem,
    totalDisk: h.totalDisk,
    freeCpu: sql<number>`${h.totalCpu} - ${h.reservedCpu} - ${h.foreignCpu}`.mapWith(Number),
    freeMem: freeMemOf(h).mapWith(Number),
    freeDisk: sql<number>`${h.totalDisk} - ${h.reservedDisk} - ${h.foreignDisk}`.mapWith(Number),
    usage: h.usage,
  };
}

/** The indexed expression of `hosts_free_mem`, as the schemas spell it. */
function freeMemOf(h: HostsTable) {
  return sql<number>`(${h.totalMem} - ${h.reservedMem} - ${h.foreignMem})`;
}

export type Row = {
  id: string;
  hostname: string;
  liveness: string;
  policy: string;
  orgId: string | null;
  engines: string[];
  networks: string[];
  presented: string | null;
  totalCpu: number;
  totalMem: number;
  totalDisk: number;
  freeCpu: number;
  freeMem: number;
  freeDisk: number;
  usage: UsageSummary | null;
};

interface Demand {
  org: string;
  cpu: number;
  mem: number;
  disk: number;
}

function placeable(h: HostsTable, d: Demand): SQL {
  return and(
    eq(h.orgId, d.org),
    eq(h.liveness, 'ready'),
    eq(h.policy, 'eligible'),
    isNull(h.tlsPresentedFingerprint),
    gte(freeMemOf(h), d.mem),
    gte(sql`${h.totalCpu} - ${h.reservedCpu} - ${h.foreignCpu}`, d.cpu),
    gte(sql`${h.totalDisk} - ${h.reservedDisk} - ${h.foreignDisk}`, d.disk),
  ) as SQL;
}

/** A host row as placement plans with it (the index builds the same from its kept rows). */
export function toCandidate(ctx: Ctx, r: Row, images: Set<string>): Candidate {
  return {
    id: r.id,
    hostname: r.hostname,
    liveness: ctx.liveness.state(r.id) ?? r.liveness,
    policy: r.policy,
    orgId: r.orgId,
    engines: r.engines,
    networks: r.networks,
    total: { cpu: r.totalCpu, mem: r.totalMem, disk: r.totalDisk },
    free: { cpu: r.freeCpu, mem: r.freeMem, disk: r.freeDisk },
    images,
    certificateChanged: r.presented !== null,
    cpuPercent: r.usage?.cpu_percent ?? null,
  };
}

/** The best few placeable hosts: those holding a requested image first, then the rest. */
export async function loadCandidates(
  ctx: Ctx,
  orgId: string,
  demands: VmDemand[],
  strategy: Strategy,
): Promise<Candidate[]> {
  const { hosts } = ctx.t;
  const demand: Demand = {
    org: orgId,
    cpu: Math.min(...demands.map((d) => d.cpu)),
    mem: Math.min(...demands.map((d) => d.mem)),
    disk: Math.min(...demands.map((d) => d.disk)),
  };
  const limit = Math.max(16, demands.length * 4);
  const byId = new Map<string, Candidate>();
  for (const digest of new Set(demands.map((d) => d.digest))) {
    for (const r of await sampleHolders(ctx, digest, demand, limit)) {
      const c = byId.get(r.id) ?? toCandidate(ctx, r, new Set());
      c.images.add(digest);
      byId.set(r.id, c);
    }
  }
  const order = strategy === 'spread' ? desc(freeMemOf(hosts)) : asc(freeMemOf(hosts));
  const rest = (await ctx.db
    .select(columns(hosts))
    .from(hosts)
    .where(placeable(hosts, demand))
    .orderBy(order)
    .limit(limit)) as Row[];
  for (const r of rest) {
    if (!byId.has(r.id)) byId.set(r.id, toCandidate(ctx, r, new Set()));
  }
  return [...byId.values()];
}

/**
 * Hosts holding an image are sampled, not sorted: a window of placeable holders starting at a
 * random host id between the digest's first and last (a popular image may be on thousands of
 * hosts), wrapping around. The planner scores the sample; like Nomad's scheduler, it never
 * scores the whole fleet.
 */
async function sampleHolders(
  ctx: Ctx,
  digest: string,
  demand: Demand,
  limit: number,
): Promise<Row[]> {
  const { hosts, hostImages } = ctx.t;
  const [bounds] = await ctx.db
    .select({ lo: min(hostImages.hostId), hi: max(hostImages.hostId) })
    .from(hostImages)
    .where(eq(hostImages.digest, digest));
  if (!bounds?.lo || !bounds.hi) return [];
  const start = randomKeyBetween(bounds.lo, bounds.hi);
  const window = (from: SQL, n: number) =>
    ctx.db
      .select(columns(hosts))
      .from(hostImages)
      .innerJoin(hosts, eq(hosts.id, hostImages.hostId))
      .where(and(eq(hostImages.digest, digest), from, placeable(hosts, demand)))
      .orderBy(asc(hostImages.hostId))
      .limit(n) as Promise<Row[]>;
  const sample = await window(gte(hostImages.hostId, start) as SQL, limit);
  if (sample.length < limit) {
    sample.push(...(await window(lt(hostImages.hostId, start) as SQL, limit - sample.length)));
  }
  return sample;
}

/** A key that sorts between `lo` and `hi` (inclusive), at a random point of their range. */
export function randomKeyBetween(lo: string, hi: string): string {
  let i = 0;
  while (i < lo.length && i < hi.length && lo[i] === hi[i]) i++;
  if (i >= lo.length || i >= hi.length) return lo;
  const from = lo.charCodeAt(i);
  const to = hi.charCodeAt(i);
  const pick = from + Math.floor(Math.random() * (to - from + 1));
  return lo.slice(0, i) + String.fromCharCode(pick);
}

/** Every host (of the organization, or all for super-admins), for a full pass and refusals. */
export async function loadAllHosts(
  ctx: Ctx,
  orgId: string | null,
  digests: string[],
): Promise<Candidate[]> {
  const { hosts, hostImages } = ctx.t;
  const rows = (await ctx.db
    .select(columns(hosts))
    .from(hosts)
    .where(orgId === null ? undefined : eq(hosts.orgId, orgId))
    .orderBy(asc(hosts.hostname), asc(hosts.id))) as Row[];
  const held = new Map<string, Set<string>>();
  if (digests.length > 0) {
    const holders = await ctx.db
      .select({ hostId: hostImages.hostId, digest: hostImages.digest })
      .from(hostImages)
      .where(inArray(hostImages.digest, digests));
    for (const r of holders) {
      const set = held.get(r.hostId) ?? new Set<string>();
      set.add(r.digest);
      held.set(r.hostId, set);
    }
  }
  return rows.map((r) => toCandidate(ctx, r, held.get(r.id) ?? new Set()));
}
