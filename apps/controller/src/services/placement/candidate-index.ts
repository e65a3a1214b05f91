import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { columns, type Row, toCandidate } from './candidates.js';
import type { Candidate, Strategy, VmDemand } from './plan.js';
import type { Demand } from './reservations.js';

/*
 * The hosts placement chooses from, in memory, so that a placement reads nothing from the
 * database before its conditional reservation (which still decides: see reservations.ts).
 *
 * Staleness and why it is safe:
 * - Free capacity that is too HIGH (another controller's reservation, a reservation by another
 *   path of this one) heals itself: the conditional write refuses, `refresh` re-reads that one
 *   host, and the placement plans again.
 * - Everything else (organization, policy, engines, networks, certificates, images, liveness
 *   as persisted, and capacity given back) is dropped whenever it may have changed: every
 *   insert/update/delete of `hosts` or `host_images` this process sends marks the index stale
 *   (`Database.onWrite`), except the reservation statements, whose effect `reserved` applies
 *   (`reserveOnHost`'s, exempted by its text; `reserveOnHosts`', a WITH statement that the
 *   pattern below does not match); on PostgreSQL a trigger notifies every controller on commit of such a write
 *   (drizzle/pg `hosts_change_feed`), and `invalidate` is called from the channel.
 * A stale index is read again in full before the next placement.
 */

/** What the PostgreSQL trigger `hosts_change_feed` notifies (drizzle/pg migration). */
export const HOSTS_CHANGED = '{"hosts_changed":true}';

interface IndexedHost {
  row: Row;
  digests: Set<string>;
}

/** Digests held by a host, for the holders of one image: host ids in id order. */
type Holders = IndexedHost[];

export class CandidateIndex {
  private byId = new Map<string, IndexedHost>();
  private byOrg = new Map<string, IndexedHost[]>();
  private holders = new Map<string, Holders>();
  /** Bumped by every change that may make the contents wrong. */
  private generation = 0;
  /** The generation the contents were read at (-1: never read). */
  private loadedAt = -1;
  private loading: Promise<void> | null = null;
  /** Statement texts whose effect the index applies itself (the reservation). */
  private readonly ownWrites = new Set<string>();

  /** Full reads of the hosts so far (tests and the benchmark watch it). */
  loads = 0;

  /** Marks the contents stale: the next placement reads every host again. */
  invalidate(): void {
    this.generation++;
  }

  /** Whether the next placement reads every host again. */
  stale(): boolean {
    return this.loadedAt !== this.generation;
  }

  /** A statement whose effect on hosts the index applies itself (it does not invalidate). */
  applyingItself(query: string): void {
    this.ownWrites.add(query);
  }

  /** For `Database.onWrite`: a write to the hosts or their images makes the contents stale. */
  noteWrite(query: string): void {
    if (this.ownWrites.has(query)) return;
    if (/^\s*(insert\s+into|update|delete\s+from)\s+"(hosts|host_images)"/i.test(query)) {
      this.invalidate();
    }
  }

  /**
   * Reads every host again if anything changed before this call. Changes that arrive while it
   * reads make the next call read again, not this one wait: hosts written all the time must not
   * starve placement (at most two reads: the one under way, then one started after this call).
   */
  async current(ctx: Ctx): Promise<void> {
    const want = this.generation;
    while (this.loadedAt < want) {
      if (!this.loading) {
        const at = this.generation;
        this.loading = this.load(ctx).then(
          () => {
            this.loadedAt = Math.max(this.loadedAt, at);
            this.loading = null;
          },
          (error: unknown) => {
            this.loading = null;
            throw error;
          },
        );
      }
      await this.loading;
    }
  }

  private async load(ctx: Ctx): Promise<void> {
    const { hosts, hostImages } = ctx.t;
    const rows = (await ctx.db.select(columns(hosts)).from(hosts)) as Row[];
    const images = await ctx.db
      .select({ hostId: hostImages.hostId, digest: hostImages.digest })
      .from(hostImages);
    this.loads++;
    const byId = new Map<string, IndexedHost>();
    for (const row of rows) byId.set(row.id, { row, digests: new Set() });
    const holders = new Map<string, Holders>();
    for (const { hostId, digest } of images) {
      const h = byId.get(hostId);
      if (!h) continue;
      h.digests.add(digest);
      const list = holders.get(digest) ?? [];
      list.push(h);
      holders.set(digest, list);
    }
    for (const list of holders.values()) list.sort((a, b) => compare(a.row.id, b.row.id));
    const byOrg = new Map<string, IndexedHost[]>();
    for (const h of byId.values()) {
      if (h.row.orgId === null) continue;
      const list = byOrg.get(h.row.orgId) ?? [];
      list.push(h);
      byOrg.set(h.row.orgId, list);
    }
    for (const list of byOrg.values()) list.sort(byFreeMem);
    this.byId = byId;
    this.byOrg = byOrg;
    this.holders = holders;
  }

  /**
   * This process planned a reservation (placement counts it before it commits, so that the
   * placements planned meanwhile see it; a failed one is given back with a negative demand). A
   * read under way may or may not see it: then the index is read again instead.
   */
  reserved(hostId: string, d: Demand): void {
    if (this.loading) {
      this.invalidate();
      return;
    }
    const h = this.byId.get(hostId);
    if (!h) return;
    this.reposition(h, () => {
      h.row.freeCpu -= d.cpu;
      h.row.freeMem -= d.mem;
      h.row.freeDisk -= d.disk;
    });
  }

  /** Changes a host's figures and keeps its organization's list in free-memory order. */
  private reposition(h: IndexedHost, change: () => void): void {
    const list = h.row.orgId === null ? undefined : this.byOrg.get(h.row.orgId);
    if (!list) {
      change();
      return;
    }
    const at = lowerBound(list, h);
    if (list[at] !== h) {
      // Not where its figures say: the order was broken somewhere; read everything again.
      change();
      this.invalidate();
      return;
    }
    list.splice(at, 1);
    change();
    list.splice(lowerBound(list, h), 0, h);
  }

  /** A reservation on this host was refused: the index was wrong about it; read it again. */
  async refresh(ctx: Ctx, hostId: string): Promise<void> {
    const { hosts } = ctx.t;
    const [row] = (await ctx.db
      .select(columns(hosts))
      .from(hosts)
      .where(eq(hosts.id, hostId))) as Row[];
    const h = this.byId.get(hostId);
    // Gone, or new to this controller: a full read sorts out the organization lists.
    if (!row || !h || row.orgId !== h.row.orgId) {
      this.invalidate();
      return;
    }
    this.reposition(h, () => {
      h.row = row;
    });
  }

  /**
   * The best few placeable hosts of the organization, as the database walk chose them: a random
   * window of those holding each requested image, then the best by free memory (most for
   * spread, least that still fits for binpack). Only the chosen few become `Candidate`s.
   */
  candidates(ctx: Ctx, orgId: string, demands: VmDemand[], strategy: Strategy): Candidate[] {
    const need = minimumDemand(demands);
    const limit = Math.max(16, demands.length * 4);
    const chosen = new Map<string, IndexedHost>();
    for (const digest of new Set(demands.map((d) => d.digest))) {
      for (const h of this.sampleHolders(digest, orgId, need, limit)) chosen.set(h.row.id, h);
    }
    for (const h of this.best(orgId, need, limit, strategy)) chosen.set(h.row.id, h);
    const digests = new Set(demands.map((d) => d.digest));
    return [...chosen.values()].map((h) => indexedCandidate(ctx, h, digests));
  }

  private sampleHolders(digest: string, orgId: string, need: Demand, limit: number) {
    const list = this.holders.get(digest);
    const out: IndexedHost[] = [];
    if (!list || list.length === 0) return out;
    const start = Math.floor(Math.random() * list.length);
    for (let k = 0; k < list.length && out.length < limit; k++) {
      const h = list[(start + k) % list.length] as IndexedHost;
      if (placeable(h.row, orgId, need)) out.push(h);
    }
    return out;
  }

  /**
   * The `limit` best placeable hosts by free memory, walking the organization's list (kept in
   * free-memory order) from the right end: the most free memory for spread; for binpack the
   * least that still fits, found by binary search. No pass over the fleet.
   */
  private best(orgId: string, need: Demand, limit: number, strategy: Strategy) {
    const list = this.byOrg.get(orgId) ?? [];
    const top: IndexedHost[] = [];
    if (strategy === 'spread') {
      for (let i = list.length - 1; i >= 0 && top.length < limit; i--) {
        const h = list[i] as IndexedHost;
        if (h.row.freeMem < need.mem) break;
        if (placeable(h.row, orgId, need)) top.push(h);
      }
      return top;
    }
    for (let i = firstWithFreeMem(list, need.mem); i < list.length && top.length < limit; i++) {
      const h = list[i] as IndexedHost;
      if (placeable(h.row, orgId, need)) top.push(h);
    }
    return top;
  }
}

/** Free memory ascending, then id: the order of an organization's list. */
function byFreeMem(a: IndexedHost, b: IndexedHost): number {
  return a.row.freeMem - b.row.freeMem || compare(a.row.id, b.row.id);
}

/** Where `h` is (or would go) in a list in `byFreeMem` order. */
function lowerBound(list: IndexedHost[], h: IndexedHost): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byFreeMem(list[mid] as IndexedHost, h) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first host of a list in `byFreeMem` order with at least `mem` free. */
function firstWithFreeMem(list: IndexedHost[], mem: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as IndexedHost).row.freeMem < mem) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The same test as the database walk's (candidates.ts `placeable`). */
function placeable(r: Row, orgId: string, d: Demand): boolean {
  return (
    r.orgId === orgId &&
    r.liveness === 'ready' &&
    r.policy === 'eligible' &&
    r.presented === null &&
    r.freeMem >= d.mem &&
    r.freeCpu >= d.cpu &&
    r.freeDisk >= d.disk
  );
}

function minimumDemand(demands: VmDemand[]): Demand {
  let cpu = Number.POSITIVE_INFINITY;
  let mem = Number.POSITIVE_INFINITY;
  let disk = Number.POSITIVE_INFINITY;
  for (const d of demands) {
    cpu = Math.min(cpu, d.cpu);
    mem = Math.min(mem, d.mem);
    disk = Math.min(disk, d.disk);
  }
  return { cpu, mem, disk };
}

function indexedCandidate(ctx: Ctx, h: IndexedHost, wanted: Set<string>): Candidate {
  const images = new Set<string>();
  for (const d of wanted) if (h.digests.has(d)) images.add(d);
  return toCandidate(ctx, h.row, images);
}

/** Code-unit order of ids (holders are kept in id order; a window starts at a random one). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
