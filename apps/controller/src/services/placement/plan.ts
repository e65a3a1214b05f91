import type { PlacementRefusal } from '@apiary/protocol';
import type { Demand } from './reservations.js';

export type Strategy = 'spread' | 'binpack';

export interface Candidate {
  id: string;
  hostname: string;
  liveness: string;
  policy: string;
  orgId: string | null;
  engines: string[];
  total: Demand;
  free: Demand;
  /** Digests this host already holds (at least those the request uses; never changed here). */
  images: Set<string>;
  /** The agent presented another certificate than the pinned one: nothing can be sent to it. */
  certificateChanged?: boolean;
  /** Host CPU busy (0-100) from its latest usage summary; null when it has sent none. */
  cpuPercent?: number | null;
  /** Networks VMs can join there (issue 14), from its inventory. */
  networks?: string[];
}

export interface VmDemand extends Demand {
  engine: string;
  digest: string;
  /** Networks the VM joins; a host must offer every one (absent: nat). */
  networks?: string[];
}

export type Plan =
  | { ok: true; hostIds: string[] }
  | { ok: false; vmIndex: number; refusals: PlacementRefusal[] };

/** Why a host cannot take `vm` now (empty: it can). `free` already counts earlier VMs of the request. */
export function hostRefusals(c: Candidate, vm: VmDemand, orgId: string, taken: number): string[] {
  const reasons: string[] = [];
  if (c.liveness !== 'ready') reasons.push(`host is ${c.liveness} (no recent heartbeat)`);
  if (c.policy !== 'eligible')
    reasons.push(`host is ${c.policy === 'draining' ? 'draining' : 'in maintenance'}`);
  if (c.certificateChanged)
    reasons.push("host's certificate changed: refused until an operator accepts it");
  if (c.orgId !== orgId) {
    reasons.push(
      c.orgId
        ? `host is assigned to organization ${c.orgId}`
        : 'host is not assigned to an organization',
    );
  }
  if (!c.engines.includes(vm.engine))
    reasons.push(`does not offer engine ${vm.engine} (offers ${c.engines.join(', ') || 'none'})`);
  const offered = c.networks ?? ['nat'];
  for (const n of vm.networks ?? []) {
    if (!offered.includes(n)) reasons.push(`host ${c.hostname} has no network ${n}`);
  }
  const after = taken > 0 ? ` after ${taken} VM${taken > 1 ? 's' : ''} of this request` : '';
  const units = { cpu: 'vCPUs', mem: 'MiB memory', disk: 'MiB disk' } as const;
  for (const r of ['cpu', 'mem', 'disk'] as const) {
    if (vm[r] > c.free[r])
      reasons.push(`not enough ${r}: needs ${vm[r]} ${units[r]}, ${c.free[r]} free${after}`);
  }
  return reasons;
}

/**
 * Whether `hostRefusals` would find nothing to say, without building a word of it: the planner
 * asks this of every candidate for every VM, and the reasons only for a refusal.
 */
export function fits(c: Candidate, vm: VmDemand, orgId: string): boolean {
  if (c.liveness !== 'ready' || c.policy !== 'eligible' || c.certificateChanged) return false;
  if (c.orgId !== orgId || !c.engines.includes(vm.engine)) return false;
  if (vm.cpu > c.free.cpu || vm.mem > c.free.mem || vm.disk > c.free.disk) return false;
  const offered = c.networks ?? ['nat'];
  for (const n of vm.networks ?? []) if (!offered.includes(n)) return false;
  return true;
}

/**
 * Higher is better.
 * - binpack: the fullest host that fits; an image already on the host dominates (no transfer).
 * - spread: the emptiest host, and VMs of one request on different hosts (anti-affinity: each VM
 *   of this request already on a host costs a whole host's worth of room), so an environment
 *   survives the loss of one host. The image is only a tie-breaker worth half a host's room:
 *   spreading is what the operator asked for, a transfer is a one-time cost.
 */
function score(c: Candidate, vm: VmDemand, strategy: Strategy, sameRequest: number): number {
  const left = (r: 'cpu' | 'mem') => (c.total[r] > 0 ? (c.free[r] - vm[r]) / c.total[r] : 0);
  const room = (left('cpu') + left('mem')) / 2;
  const hasImage = c.images.has(vm.digest);
  if (strategy === 'binpack') return (hasImage ? 10 : 0) + (1 - room);
  return room - sameRequest + (hasImage ? 0.5 : 0);
}

/**
 * Greedy placement of every VM of an environment, biggest first, lowering the free capacity of
 * each host chosen, so the VMs of one request never overcommit a host between themselves. The
 * database re-checks the result with conditional writes (`reserveOnHost`).
 */
export function planPlacement(
  candidates: Candidate[],
  demands: VmDemand[],
  orgId: string,
  strategy: Strategy,
): Plan {
  // A chosen host's entry is replaced by a copy with less free capacity: the caller's candidates
  // (the index's own rows, or a refusal's walk) are never changed, and only chosen hosts copied.
  const pool = candidates.slice();
  const takenOn = new Map<string, number>();
  const order = demands.map((_, i) => i).sort((a, b) => weight(demands[b]) - weight(demands[a]));
  const hostIds = new Array<string>(demands.length);
  for (const i of order) {
    const vm = demands[i] as VmDemand;
    let best: Candidate | undefined;
    let bestAt = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let at = 0; at < pool.length; at++) {
      const c = pool[at] as Candidate;
      if (!fits(c, vm, orgId)) continue;
      const s = score(c, vm, strategy, takenOn.get(c.id) ?? 0);
      if (s > bestScore || (s === bestScore && best && lessBusy(c, best))) {
        best = c;
        bestAt = at;
        bestScore = s;
      }
    }
    if (!best) {
      const refusals = pool.map((c) => ({
        host_id: c.id,
        hostname: c.hostname,
        reasons: hostRefusals(c, vm, orgId, takenOn.get(c.id) ?? 0),
      }));
      return { ok: false, vmIndex: i, refusals };
    }
    const taken = takenOn.get(best.id) ?? 0;
    const free = best.free;
    pool[bestAt] = {
      ...best,
      free: { cpu: free.cpu - vm.cpu, mem: free.mem - vm.mem, disk: free.disk - vm.disk },
    };
    takenOn.set(best.id, taken + 1);
    hostIds[i] = best.id;
  }
  return { ok: true, hostIds };
}

/**
 * The tie-break between hosts of equal score: the one whose CPU is less busy now (its latest
 * usage summary). A host that has sent no summary counts as neither busier nor idler.
 */
function lessBusy(c: Candidate, than: Candidate): boolean {
  if (c.cpuPercent == null || than.cpuPercent == null) return false;
  return c.cpuPercent < than.cpuPercent;
}

function weight(d: VmDemand | undefined): number {
  return d ? d.mem + d.cpu * 1024 : 0;
}
