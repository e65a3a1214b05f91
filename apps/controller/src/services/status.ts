import type { FleetStatus } from '@apiary/protocol';
import { and, count, eq, ne, sql } from 'drizzle-orm';
import type { Ctx } from '../context.js';

import { CONTROLLER_VERSION } from '../version.js';
import { orgFilter, type Principal } from './auth/principal.js';
import { fleetUsage } from './hosts/host-usage.js';
import { imageScope } from './images/images.js';

/** `GET /v1/status`: the fleet at a glance, counting only what the caller's organization sees. */
export async function fleetStatus(ctx: Ctx, p: Principal): Promise<FleetStatus> {
  const { envs, hosts, images, vms } = ctx.t;
  const org = orgFilter(p);
  const hostWhere = org === undefined ? undefined : eq(hosts.orgId, org);
  const hostRows = await ctx.db
    .select({
      id: hosts.id,
      liveness: hosts.liveness,
      policy: hosts.policy,
      totalCpu: hosts.totalCpu,
      totalMem: hosts.totalMem,
      totalDisk: hosts.totalDisk,
      cpu: sql<number>`${hosts.reservedCpu} + ${hosts.foreignCpu}`,
      mem: sql<number>`${hosts.reservedMem} + ${hosts.foreignMem}`,
      disk: sql<number>`${hosts.reservedDisk} + ${hosts.foreignDisk}`,
      usage: hosts.usage,
    })
    .from(hosts)
    .where(hostWhere);
  const h = {
    total: hostRows.length,
    ready: 0,
    suspect: 0,
    down: 0,
    eligible: 0,
    draining: 0,
    maintenance: 0,
  };
  const total = { cpu: 0, mem: 0, disk: 0 };
  const reserved = { cpu: 0, mem: 0, disk: 0 };
  const usageOf = [];
  for (const r of hostRows) {
    const liveness = ctx.liveness.state(r.id) ?? r.liveness;
    usageOf.push({ usage: r.usage ?? null, cpus: r.totalCpu, down: liveness === 'down' });
    h[liveness]++;
    h[r.policy]++;
    total.cpu += r.totalCpu;
    total.mem += r.totalMem;
    total.disk += r.totalDisk;
    reserved.cpu += r.cpu;
    reserved.mem += r.mem;
    reserved.disk += r.disk;
  }
  const envWhere = and(
    ne(envs.state, 'deleted'),
    org === undefined ? undefined : eq(envs.orgId, org),
  );
  const envStates = await ctx.db
    .select({ state: envs.state, n: count() })
    .from(envs)
    .where(envWhere)
    .groupBy(envs.state);
  const vmWhere = and(ne(vms.state, 'deleted'), org === undefined ? undefined : eq(vms.orgId, org));
  // VMs on a host that is down are unobserved: counted as unknown, like GET /v1/vms/{id} shows them.
  const shown = sql<string>`case when ${hosts.liveness} = 'down' and ${vms.state} <> 'pending' then 'unknown' else ${vms.state} end`;
  const vmStates = await ctx.db
    .select({ state: shown, n: count() })
    .from(vms)
    .leftJoin(hosts, eq(hosts.id, vms.hostId))
    .where(vmWhere)
    .groupBy(shown);
  const imageCount =
    (
      await ctx.db
        .select({ n: count() })
        .from(images)
        .where(imageScope(ctx.t, org === undefined ? undefined : org))
    )[0]?.n ?? 0;
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
    envs: {
      total: envStates.reduce((a, s) => a + s.n, 0),
      by_state: Object.fromEntries(envStates.map((s) => [s.state, s.n])),
    },
    vms: {
      total: vmStates.reduce((a, s) => a + s.n, 0),
      by_state: Object.fromEntries(vmStates.map((s) => [s.state, s.n])),
    },
    images: imageCount,
    version: CONTROLLER_VERSION,
  };
}
