import {
  ApiError,
  type InsufficientCapacityDetails,
  type PlacementRefusal,
  sleep,
} from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Tx } from '../../db/database.js';
import { loadAllHosts } from './candidates.js';
import { planPlacement, type Strategy, type VmDemand } from './plan.js';
import { type Demand, reserveOnHosts } from './reservations.js';

class ReservationLost extends Error {
  constructor(readonly hostId: string) {
    super(`reservation on ${hostId} lost`);
  }
}

/*
 * Creates racing for the same hosts (in this process, or in another controller) read the same
 * free capacity; the conditional writes let exactly the ones that fit win. A loser plans again
 * on fresh figures after a short random pause, so racers spread out instead of colliding again.
 */
const ATTEMPTS = 10;
const RETRY_PAUSE_MS = 20;

/**
 * Chooses a host for every VM and reserves the capacity in ONE transaction, together with
 * whatever `persist` writes (the environment and its VMs): either everything is reserved and
 * recorded, or nothing is. Candidates come from this controller's candidate index (memory, see
 * candidate-index.ts); if they cannot take the request, one pass over every host in the
 * database decides, and its refusal says, per host, why.
 */
export async function placeAndReserve(
  ctx: Ctx,
  orgId: string,
  demands: VmDemand[],
  persist: (tx: Tx, hostIds: string[]) => Promise<void>,
  opts: { strategy?: Strategy; showOtherOrgs?: boolean } = {},
): Promise<string[]> {
  const strategy = opts.strategy ?? ctx.config.placement;
  const digests = [...new Set(demands.map((d) => d.digest))];
  const started = performance.now();
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      await ctx.candidates.current(ctx);
      // From here to counting the reservation in the index below, nothing may await: another
      // placement planned in between would see the host's room not yet taken (an async helper
      // that awaited `current` and returned the candidates broke the group-commit tests so).
      let plan = planPlacement(
        ctx.candidates.candidates(ctx, orgId, demands, strategy),
        demands,
        orgId,
        strategy,
      );
      if (!plan.ok) {
        const everyHost = await loadAllHosts(ctx, opts.showOtherOrgs ? null : orgId, digests);
        plan = planPlacement(everyHost, demands, orgId, strategy);
        if (!plan.ok) {
          ctx.metrics.placements.inc({ result: 'refused' });
          throw refusal(plan.vmIndex, plan.refusals);
        }
      }
      const hostIds = plan.hostIds;
      const perHost = sumByHost(hostIds, demands);
      // Counted in the index at once, before it commits: placements planned meanwhile (the
      // rest of its group) see the capacity taken and choose elsewhere instead of losing their
      // reservation in the database. Given back if this one fails; an index read again in
      // between may then show more free than there is, which the conditional write survives.
      for (const [hostId, d] of perHost) ctx.candidates.reserved(hostId, d);
      try {
        // Shares one transaction with the placements that arrived together, in a savepoint of
        // its own (group-commit.ts); resolves only once that transaction has committed.
        // The reservation is its last statement: it locks the host rows until COMMIT, and
        // every other placement on those hosts (and heartbeat sharing) waits for them; the
        // environment's own rows lock nothing anyone else wants. Written first, the lock would
        // be held across all of persist's round trips (issue 18: creates stalled behind it).
        await ctx.placementCommits.run(async (tx) => {
          await persist(tx, hostIds);
          const lost = await reserveOnHosts(ctx, tx, perHost);
          if (lost[0] !== undefined) throw new ReservationLost(lost[0]);
        });
        ctx.metrics.placements.inc({ result: 'placed' });
        return hostIds;
      } catch (error) {
        for (const [hostId, d] of perHost) {
          ctx.candidates.reserved(hostId, { cpu: -d.cpu, mem: -d.mem, disk: -d.disk });
        }
        if (error instanceof ReservationLost) {
          // The index thought the host had room: read it again before planning again.
          await ctx.candidates.refresh(ctx, error.hostId);
        } else if (!lostToLockOrder(error)) {
          throw error;
        }
        ctx.metrics.placements.inc({ result: 'retried' });
        await sleep(Math.random() * RETRY_PAUSE_MS * (attempt + 1));
      }
    }
    ctx.metrics.placements.inc({ result: 'refused' });
    throw new ApiError(
      'insufficient_capacity',
      'hosts kept changing while placing this environment; try again',
      {
        retryable: true,
      },
    );
  } finally {
    ctx.metrics.placementDuration.observe({}, (performance.now() - started) / 1000);
  }
}

/*
 * PostgreSQL may end one of two transactions that lock the same hosts in opposite orders
 * (deadlock_detected, 40P01), or one that cannot be serialized (40001). Groups hold their hosts'
 * row locks until their one COMMIT, which makes this likelier than with one transaction per
 * placement; nothing of the placement was written (its savepoint or its group rolled back), so
 * it is planned again like a lost reservation.
 */
const RETRY_SQLSTATES = new Set(['40P01', '40001']);

function lostToLockOrder(error: unknown): boolean {
  let e = error;
  for (let depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && RETRY_SQLSTATES.has(code)) return true;
    // drizzle wraps the driver's error (DrizzleQueryError): the SQLSTATE is on its cause.
    e = (e as Error & { cause?: unknown }).cause;
  }
  return false;
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

function refusal(vmIndex: number, hosts: PlacementRefusal[]): ApiError {
  const msg =
    hosts.length === 0
      ? 'no host can take this environment: the organization has no hosts'
      : `no host can take VM ${vmIndex} of this environment (${hosts.length} hosts considered; see details)`;
  const details: InsufficientCapacityDetails = { vm_index: vmIndex, hosts };
  return new ApiError('insufficient_capacity', msg, { details });
}
