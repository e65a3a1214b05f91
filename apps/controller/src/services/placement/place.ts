import { ApiError } from '@apiary/protocol';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/open-db.js';
import { hostImages, hosts } from '../../db/schema.js';
import { type Candidate, planPlacement, type Strategy, type VmDemand } from './plan.js';
import { type Demand, reserveOnHost } from './reservations.js';

class ReservationLost extends Error {}

const ATTEMPTS = 3;

/**
 * Chooses a host for every VM and reserves the capacity in ONE transaction, together with
 * whatever `persist` writes (the environment and its VMs): either everything is reserved and
 * recorded, or nothing is. A refusal says, per host, why.
 */
export function placeAndReserve(
  ctx: Ctx,
  orgId: string,
  demands: VmDemand[],
  persist: (tx: Tx, hostIds: string[]) => void,
  opts: { strategy?: Strategy; showOtherOrgs?: boolean } = {},
): string[] {
  const strategy = opts.strategy ?? ctx.config.placement;
  const started = performance.now();
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const plan = planPlacement(
        loadCandidates(ctx, orgId, demands, strategy),
        demands,
        orgId,
        strategy,
      );
      if (!plan.ok) break;
      try {
        ctx.db.transaction((tx) => {
          for (const [hostId, d] of sumByHost(plan.hostIds, demands)) {
            if (!reserveOnHost(tx, hostId, d)) throw new ReservationLost(hostId);
          }
          persist(tx, plan.hostIds);
        });
        ctx.metrics.placements.inc({ result: 'placed' });
        return plan.hostIds;
      } catch (error) {
        if (!(error instanceof ReservationLost)) throw error;
        ctx.metrics.placements.inc({ result: 'retried' });
      }
    }
    ctx.metrics.placements.inc({ result: 'refused' });
    throw refusal(ctx, orgId, demands, strategy, opts.showOtherOrgs ?? false);
  } finally {
    ctx.metrics.placementDuration.observe({}, (performance.now() - started) / 1000);
  }
}

/** Enough candidates for a greedy pass: placeable hosts, best first by the same ordering. */
function loadCandidates(
  ctx: Ctx,
  orgId: string,
  demands: VmDemand[],
  strategy: Strategy,
): Candidate[] {
  const min = {
    cpu: Math.min(...demands.map((d) => d.cpu)),
    mem: Math.min(...demands.map((d) => d.mem)),
    disk: Math.min(...demands.map((d) => d.disk)),
  };
  const engines = [...new Set(demands.map((d) => d.engine))];
  const digest = demands[0]?.digest ?? '';
  const freeMem = sql`(${hosts.totalMem} - ${hosts.reservedMem} - ${hosts.foreignMem})`;
  const room = sql`(cast(${freeMem} as real) / max(${hosts.totalMem}, 1))`;
  const holds = sql`exists(select 1 from ${hostImages} where ${hostImages.hostId} = ${hosts.id} and ${hostImages.digest} = ${digest})`;
  const engineMatch = sql.join(
    engines.map((e) => sql`instr(${hosts.engines}, ${JSON.stringify(e)}) > 0`),
    sql` or `,
  );
  const where: SQL | undefined = and(
    eq(hosts.orgId, orgId),
    eq(hosts.liveness, 'ready'),
    eq(hosts.policy, 'eligible'),
    sql`(${engineMatch})`,
    sql`${hosts.totalCpu} - ${hosts.reservedCpu} - ${hosts.foreignCpu} >= ${min.cpu}`,
    sql`${freeMem} >= ${min.mem}`,
    sql`${hosts.totalDisk} - ${hosts.reservedDisk} - ${hosts.foreignDisk} >= ${min.disk}`,
  );
  const limit = Math.max(64, demands.length * 16);
  const rows = ctx.db
    .select()
    .from(hosts)
    .where(where)
    .orderBy(
      sql`${holds} desc`,
      strategy === 'spread' ? sql`${room} desc` : sql`${room} asc`,
      hosts.id,
    )
    .limit(limit)
    .all();
  return toCandidates(ctx, rows, demands);
}

function toCandidates(
  ctx: Ctx,
  rows: Array<typeof hosts.$inferSelect>,
  demands: VmDemand[],
): Candidate[] {
  const digests = [...new Set(demands.map((d) => d.digest))];
  const held = new Map<string, Set<string>>();
  if (rows.length > 0 && digests.length > 0) {
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of ctx.db
        .select()
        .from(hostImages)
        .where(and(inArray(hostImages.hostId, chunk), inArray(hostImages.digest, digests)))
        .all()) {
        const set = held.get(r.hostId) ?? new Set<string>();
        set.add(r.digest);
        held.set(r.hostId, set);
      }
    }
  }
  return rows.map((h) => ({
    id: h.id,
    hostname: h.hostname,
    liveness: ctx.liveness.state(h.id) ?? h.liveness,
    policy: h.policy,
    orgId: h.orgId,
    engines: h.engines,
    total: { cpu: h.totalCpu, mem: h.totalMem, disk: h.totalDisk },
    free: {
      cpu: h.totalCpu - h.reservedCpu - h.foreignCpu,
      mem: h.totalMem - h.reservedMem - h.foreignMem,
      disk: h.totalDisk - h.reservedDisk - h.foreignDisk,
    },
    images: held.get(h.id) ?? new Set<string>(),
  }));
}

function sumByHost(hostIds: string[], demands: VmDemand[]): Map<string, Demand> {
  const out = new Map<string, Demand>();
  hostIds.forEach((hostId, i) => {
    const d = demands[i] as VmDemand;
    const sum = out.get(hostId) ?? { cpu: 0, mem: 0, disk: 0 };
    out.set(hostId, { cpu: sum.cpu + d.cpu, mem: sum.mem + d.mem, disk: sum.disk + d.disk });
  });
  return out;
}

/** The refusal, computed over every host the caller may see so each one gets its reasons. */
function refusal(
  ctx: Ctx,
  orgId: string,
  demands: VmDemand[],
  strategy: Strategy,
  all: boolean,
): ApiError {
  const rows = ctx.db
    .select()
    .from(hosts)
    .where(all ? undefined : eq(hosts.orgId, orgId))
    .orderBy(hosts.hostname)
    .all();
  const plan = planPlacement(toCandidates(ctx, rows, demands), demands, orgId, strategy);
  const refusals = plan.ok ? [] : plan.refusals;
  const vm = plan.ok ? 0 : plan.vmIndex;
  const msg =
    rows.length === 0
      ? 'no host can take this environment: the organization has no hosts'
      : plan.ok
        ? 'hosts changed while placing this environment; try again'
        : `no host can take VM ${vm} of this environment (${refusals.length} hosts considered; see details)`;
  return new ApiError('insufficient_capacity', msg, {
    details: { vm_index: vm, hosts: refusals },
    retryable: plan.ok,
  });
}
