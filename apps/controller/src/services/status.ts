import type { FleetStatus } from '@apiary/protocol';
import { and, count, eq, ne, notInArray, type SQL, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';

import { CONTROLLER_VERSION } from '../version.js';
import { orgFilter, type Principal } from './auth/principal.js';
import { fleetUsage } from './hosts/host-usage.js';
import { imageScope } from './images/images.js';
import { FOLD_AT, foldVmCountsOnce, readVmCounts } from './vm-counts.js';

/** `GET /v1/status`: the fleet at a glance, counting only what the caller's organization sees. */
export async function fleetStatus(ctx: Ctx, p: Principal): Promise<FleetStatus> {
  const org = orgFilter(p);
  const f = await keptFigures(ctx, org);
  const h = { ...f.hosts };
  // Liveness is this controller's (its tracker is ahead of the database), so it is counted
  // here at every request, from the hosts' ids and stored liveness.
  const usageOf = [];
  for (const r of f.liveness) {
    const liveness = ctx.liveness.state(r.id) ?? r.liveness;
    h[liveness]++;
    if (r.usage) usageOf.push({ usage: r.usage, cpus: r.cpus, down: liveness === 'down' });
  }
  const { total, reserved } = f;
  return {
    hosts: h,
    capacity: {
      total,
      reserved,
      free: {
        cpu: Math.max(0, total.cpu - reserved.cpu),
        mem: Math.max(0, total.mem - reserved.mem),
        disk: Math.max(0, total.disk - reserved.disk),
      },
    },
    usage: fleetUsage(usageOf),
    envs: f.envs,
    vms: f.vms,
    images: f.images,
    version: CONTROLLER_VERSION,
  };
}

/**
 * What status reads from the database, in parts kept by `ctx.statusFigures` until a table they
 * count changes: a VM's state write reads the VMs' kept counts again, not the hosts.
 */
async function keptFigures(ctx: Ctx, org: string | undefined) {
  const scope = org ?? '';
  const kept = ctx.statusFigures;
  const [hosts, envs, vms, images] = await Promise.all([
    kept.get(`hosts:${scope}`, ['hosts'], () => hostFigures(ctx, org)),
    kept.get(`envs:${scope}`, ['envs'], () => envCounts(ctx, org)),
    vmCounts(ctx, org, scope),
    kept.get(`images:${scope}`, ['images'], () => imageCount(ctx, org)),
  ]);
  return {
    ...hosts,
    envs: {
      total: envs.reduce((a, s) => a + s.n, 0),
      by_state: Object.fromEntries(envs.map((s) => [s.state, s.n])),
    },
    vms: {
      total: Object.values(vms).reduce((a, n) => a + n, 0),
      by_state: vms,
    },
    images,
  };
}

/** The hosts' part: policy counts and capacity, and the rows liveness and usage come from. */
async function hostFigures(ctx: Ctx, org: string | undefined) {
  const { hosts } = ctx.t;
  const hostWhere = org === undefined ? undefined : eq(hosts.orgId, org);
  // Policy counts and capacity are summed in the database, one row per policy.
  const sumOf = (a: SQL, b?: SQL) => sql<string>`coalesce(sum(${b ? sql`${a} + ${b}` : a}), 0)`;
  const byPolicy = await ctx.db
    .select({
      policy: hosts.policy,
      n: count(),
      totalCpu: sumOf(sql`${hosts.totalCpu}`),
      totalMem: sumOf(sql`${hosts.totalMem}`),
      totalDisk: sumOf(sql`${hosts.totalDisk}`),
      cpu: sumOf(sql`${hosts.reservedCpu}`, sql`${hosts.foreignCpu}`),
      mem: sumOf(sql`${hosts.reservedMem}`, sql`${hosts.foreignMem}`),
      disk: sumOf(sql`${hosts.reservedDisk}`, sql`${hosts.foreignDisk}`),
    })
    .from(hosts)
    .where(hostWhere)
    .groupBy(hosts.policy);
  const h = {
    total: 0,
    ready: 0,
    suspect: 0,
    down: 0,
    eligible: 0,
    draining: 0,
    maintenance: 0,
  };
  const total = { cpu: 0, mem: 0, disk: 0 };
  const reserved = { cpu: 0, mem: 0, disk: 0 };
  for (const g of byPolicy) {
    const n = Number(g.n);
    h.total += n;
    h[g.policy] += n;
    total.cpu += Number(g.totalCpu);
    total.mem += Number(g.totalMem);
    total.disk += Number(g.totalDisk);
    reserved.cpu += Number(g.cpu);
    reserved.mem += Number(g.mem);
    reserved.disk += Number(g.disk);
  }
  // The narrowest rows liveness and usage are counted from at each request (see fleetStatus).
  const liveness = await ctx.db
    .select({ id: hosts.id, liveness: hosts.liveness, cpus: hosts.totalCpu, usage: hosts.usage })
    .from(hosts)
    .where(hostWhere);
  return { hosts: h, liveness, total, reserved };
}

/** Environments by state (deleted ones are history). */
async function envCounts(ctx: Ctx, org: string | undefined) {
  const { envs } = ctx.t;
  return await ctx.db
    .select({ state: envs.state, n: count() })
    .from(envs)
    .where(and(ne(envs.state, 'deleted'), org === undefined ? undefined : eq(envs.orgId, org)))
    .groupBy(envs.state);
}

async function imageCount(ctx: Ctx, org: string | undefined): Promise<number> {
  const { images } = ctx.t;
  const rows = await ctx.db.select({ n: count() }).from(images).where(imageScope(ctx.t, org));
  return rows[0]?.n ?? 0;
}

/**
 * VMs by state. Those on a host that is down are unobserved: counted as unknown, like
 * GET /v1/vms/{id} shows them (a pending one was never there). Two aggregates instead of a join
 * of every VM with its host, kept apart: all VMs by state (the counts kept with the VM writes;
 * the VMs' writes drop it), then the few on down hosts by state (from the down hosts through
 * `vms_host`; the hosts' writes drop it too, heartbeats included), moved to unknown.
 */
function vmCounts(ctx: Ctx, org: string | undefined, scope: string) {
  return Promise.all([
    ctx.statusFigures.get(`vms:${scope}`, ['vms'], () => vmsByState(ctx, org)),
    ctx.statusFigures.get(`vms-unobserved:${scope}`, ['vms', 'hosts'], () =>
      unobservedByState(ctx, org),
    ),
  ]).then(([all, unobserved]) => {
    const byState: Record<string, number> = { ...all };
    for (const [state, n] of Object.entries(unobserved)) {
      byState[state] = (byState[state] ?? 0) - n;
      byState.unknown = (byState.unknown ?? 0) + n;
    }
    for (const [state, n] of Object.entries(byState)) if (n === 0) delete byState[state];
    return byState;
  });
}

/**
 * All VMs by state from the counts the database keeps with the VM writes (vm-counts.ts): a few
 * rows, however many VMs. A read that had many deltas to sum folds them after answering.
 */
async function vmsByState(ctx: Ctx, org: string | undefined): Promise<Record<string, number>> {
  const { byState, deltas } = await readVmCounts(ctx.engine, ctx.db, org);
  if (deltas >= FOLD_AT)
    ctx.work.run(
      'vm-counts-fold',
      () => foldVmCountsOnce(ctx),
      (name, error) => ctx.log.error({ pass: name, error }, 'folding the VM counts failed'),
    );
  delete byState.deleted;
  return byState;
}

async function unobservedByState(
  ctx: Ctx,
  org: string | undefined,
): Promise<Record<string, number>> {
  const { hosts, vms } = ctx.t;
  const rows = await ctx.db
    .select({ state: vms.state, n: count() })
    .from(hosts)
    .innerJoin(vms, eq(vms.hostId, hosts.id))
    .where(
      and(
        eq(hosts.liveness, 'down'),
        notInArray(vms.state, ['deleted', 'pending']),
        org === undefined ? undefined : eq(vms.orgId, org),
      ),
    )
    .groupBy(vms.state);
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
