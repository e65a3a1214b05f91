import type { UsageSummary } from '@apiary/protocol';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tables } from '../../db/database.js';
import type { Candidate } from './plan.js';

/*
 * The host rows placement reads: the candidate index keeps them in memory (candidate-index.ts)
 * and chooses among them without reading the database; the pass over every host of an
 * organization here decides only when the index's best cannot take a request, and says per host
 * why not.
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
    freeMem: sql<number>`${h.totalMem} - ${h.reservedMem} - ${h.foreignMem}`.mapWith(Number),
    freeDisk: sql<number>`${h.totalDisk} - ${h.reservedDisk} - ${h.foreignDisk}`.mapWith(Number),
    usage: h.usage,
  };
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
