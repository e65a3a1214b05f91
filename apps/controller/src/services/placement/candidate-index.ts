import { VM_LIMITS } from '@apiary/protocol';
import { inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { columns, type Row, toCandidate } from './candidates.js';
import { attributeHostWrite } from './host-writes.js';
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
 *   as persisted, usage, and capacity given back) is re-read before the next placement whenever
 *   it may have changed, for the hosts it may have changed on:
 *   - every insert/update/delete of `hosts` or `host_images` this process sends is attributed
 *     to the hosts it can touch (host-writes.ts, from its text and parameters): those hosts are
 *     marked and read again by id; a write of columns placement does not read (credentials, last
 *     heartbeat) marks nothing; one it cannot attribute marks every host (a full read). The
 *     reservation statements are exempt: `reserved` applies their effect (`reserveOnHost`'s by
 *     its text; `reserveOnHosts`' on PostgreSQL, a WITH statement, is not matched at all);
 *   - on PostgreSQL a trigger notifies every controller on commit of such a write, with the ids
 *     of the hosts whose placement columns changed, or without them when they do not fit one
 *     notification (drizzle/pg `hosts_change_feed`, `hosts_change_ids`): `hear`.
 *   The commit's notification also heals a read by id that ran between this process sending a
 *   write and its commit (PostgreSQL reads on other connections); SQLite's one connection does
 *   not interleave them.
 */

/** What the PostgreSQL trigger notifies when it cannot name the hosts (drizzle/pg migrations). */
export const HOSTS_CHANGED = '{"hosts_changed":true}';

/**
 * A host whose free memory changed moves this far in its list by shifting the hosts in between
 * (a JS loop, ~3 ns each); farther, by two splices (native, ~7 µs each for 10,000 hosts).
 */
const SHIFT_AT_MOST = 2_000;

/**
 * Candidates taken from each walk (the image's holders, the best by free memory) for a request
 * of one or two VMs; four per VM for larger ones. Eight of each leave the planner a choice while
 * making half the candidates of the 16 this was (each is an object, a liveness lookup and a
 * score per VM at every placement); Nomad's scheduler scores two by default.
 */
const CANDIDATES_PER_WALK = 8;

/** Hosts re-read by id in one statement at most (their images in another). */
const IDS_PER_READ = 500;

interface IndexedHost {
  row: Row;
  digests: Set<string>;
  /**
   * In its organization's list and its images' holders: it could take the smallest VM there is
   * (`open`). A host that cannot (full, down, drained) is parked out of both, so that walks for
   * a placement never pass it: with binpack, the hosts whose CPU ran out first kept free memory
   * and were walked past, more of them after every placement (issue 18's profile).
   */
  listed: boolean;
}

/** Digests held by a host, for the holders of one image: host ids in id order. */
type Holders = IndexedHost[];

export class CandidateIndex {
  private byId = new Map<string, IndexedHost>();
  private byOrg = new Map<string, IndexedHost[]>();
  private holders = new Map<string, Holders>();
  /** Bumped by every change that may make any of the contents wrong. */
  private generation = 0;
  /** The generation the contents were read at (-1: never read). */
  private loadedAt = -1;
  /** Hosts whose rows may be wrong, to read again by id; `marks` counts the markings. */
  private dirty = new Set<string>();
  private marks = 0;
  /** The markings the contents reflect. */
  private refreshedTo = 0;
  /** The read under way (full or by id): one at a time, so that none applies older rows. */
  private reading: Promise<void> | null = null;
  /** Hosts being read by id now (a reservation planned on one of them is re-read after). */
  private readingIds: ReadonlySet<string> = new Set();
  /** Whether the read under way is a full one. */
  private readingAll = false;
  /** Statement texts whose effect the index applies itself (the reservation). */
  private readonly ownWrites = new Set<string>();
  /**
   * The `hosts` columns placement reads: a write of none of them changes nothing here. Until
   * `watching` says, every column counts (a missed change is worse than a needless read).
   */
  private relevant: ReadonlySet<string> | null = null;

  /** Full reads of the hosts so far (tests and the benchmark watch it). */
  loads = 0;
  /** Hosts read again by id so far. */
  hostReads = 0;
  /** Hosts looked at by the walks for candidates so far (a test shows parked ones are not). */
  walked = 0;

  /** Marks the contents stale: the next placement reads every host again. */
  invalidate(): void {
    this.generation++;
  }

  /** Marks hosts stale: the next placement reads them again by id. */
  invalidateHosts(ids: Iterable<string>): void {
    for (const id of ids) this.dirty.add(id);
    this.marks++;
  }

  /** Whether the next placement reads every host again. */
  stale(): boolean {
    return this.loadedAt !== this.generation;
  }

  /** Hosts the next placement reads again by id. */
  staleHosts(): number {
    return this.dirty.size;
  }

  /** A statement whose effect on hosts the index applies itself (it does not invalidate). */
  applyingItself(query: string): void {
    this.ownWrites.add(query);
  }

  /** The `hosts` table's columns placement reads (placementColumns): others are ignored. */
  watching(columns: ReadonlySet<string>): void {
    this.relevant = columns;
  }

  /** For `Database.onWrite`: a write to hosts or their images marks what it may change. */
  noteWrite(query: string, params: readonly unknown[] = []): void {
    if (this.ownWrites.has(query)) return;
    const write = attributeHostWrite(query, params, this.relevant);
    if (write.kind === 'all') this.invalidate();
    else if (write.kind === 'hosts') this.invalidateHosts(write.ids);
  }

  /**
   * For the PostgreSQL channel: another controller's (or this one's) committed change of hosts,
   * `{"hosts_changed":true}` (every host) or `{"hosts_changed":["host_…",…]}`. Returns whether
   * the payload was one of these.
   */
  hear(payload: string): boolean {
    if (payload === HOSTS_CHANGED) {
      this.invalidate();
      return true;
    }
    if (!payload.startsWith('{"hosts_changed":[')) return false;
    let ids: unknown;
    try {
      ids = (JSON.parse(payload) as { hosts_changed: unknown }).hosts_changed;
    } catch {
      this.invalidate();
      return true;
    }
    if (Array.isArray(ids) && ids.every((id) => typeof id === 'string')) {
      this.invalidateHosts(ids);
    } else {
      this.invalidate();
    }
    return true;
  }

  /**
   * Reads again what changed before this call: every host after a change it could not
   * attribute, else the marked hosts by id. Changes that arrive while it reads make the next
   * call read again, not this one wait: hosts written all the time must not starve placement
   * (at most two reads of each kind: the one under way, then one started after this call).
   */
  async current(ctx: Ctx): Promise<void> {
    const wantAll = this.generation;
    const wantMarks = this.marks;
    while (this.loadedAt < wantAll || this.refreshedTo < wantMarks) {
      this.reading ??= this.readStep(ctx).finally(() => {
        this.reading = null;
        this.readingIds = new Set();
        this.readingAll = false;
      });
      await this.reading;
    }
  }

  /** One read: in full if anything unattributed changed, else the marked hosts. */
  private async readStep(ctx: Ctx): Promise<void> {
    const marks = this.marks;
    if (this.loadedAt < this.generation) {
      const at = this.generation;
      // The full read covers every host marked before it starts.
      this.dirty.clear();
      this.readingAll = true;
      await this.load(ctx);
      this.loadedAt = Math.max(this.loadedAt, at);
      this.refreshedTo = Math.max(this.refreshedTo, marks);
      return;
    }
    const ids = [...this.dirty];
    this.dirty.clear();
    this.readingIds = new Set(ids);
    try {
      await this.reloadHosts(ctx, ids);
    } catch (error) {
      for (const id of ids) this.dirty.add(id);
      throw error;
    }
    this.refreshedTo = Math.max(this.refreshedTo, marks);
  }

  private async load(ctx: Ctx): Promise<void> {
    const { hosts, hostImages } = ctx.t;
    const rows = (await ctx.db.select(columns(hosts)).from(hosts)) as Row[];
    const images = await ctx.db
      .select({ hostId: hostImages.hostId, digest: hostImages.digest })
      .from(hostImages);
    this.loads++;
    const byId = new Map<string, IndexedHost>();
    for (const row of rows) byId.set(row.id, { row, digests: new Set(), listed: open(row) });
    const holders = new Map<string, Holders>();
    for (const { hostId, digest } of images) {
      const h = byId.get(hostId);
      if (!h) continue;
      h.digests.add(digest);
      if (!h.listed) continue;
      const list = holders.get(digest) ?? [];
      list.push(h);
      holders.set(digest, list);
    }
    for (const list of holders.values()) list.sort((a, b) => compare(a.row.id, b.row.id));
    const byOrg = new Map<string, IndexedHost[]>();
    for (const h of byId.values()) {
      if (!h.listed || h.row.orgId === null) continue;
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
   * Reads these hosts and their images again and puts each where it now belongs: its
   * organization's list, its images' holders; a host gone from the database leaves the index,
   * a new one joins it.
   */
  private async reloadHosts(ctx: Ctx, ids: string[]): Promise<void> {
    const { hosts, hostImages } = ctx.t;
    const rows = new Map<string, Row>();
    const digests = new Map<string, Set<string>>();
    for (let i = 0; i < ids.length; i += IDS_PER_READ) {
      const batch = ids.slice(i, i + IDS_PER_READ);
      for (const row of (await ctx.db
        .select(columns(hosts))
        .from(hosts)
        .where(inArray(hosts.id, batch))) as Row[]) {
        rows.set(row.id, row);
      }
      for (const { hostId, digest } of await ctx.db
        .select({ hostId: hostImages.hostId, digest: hostImages.digest })
        .from(hostImages)
        .where(inArray(hostImages.hostId, batch))) {
        const set = digests.get(hostId) ?? new Set<string>();
        set.add(digest);
        digests.set(hostId, set);
      }
    }
    this.hostReads += ids.length;
    for (const id of ids) {
      const old = this.byId.get(id);
      if (old) this.unlink(old);
      const row = rows.get(id);
      if (!row) {
        this.byId.delete(id);
        continue;
      }
      const h = old ?? { row, digests: new Set<string>(), listed: false };
      h.row = row;
      h.digests = digests.get(id) ?? new Set();
      this.byId.set(id, h);
      this.link(h);
    }
  }

  /** Takes a host out of its organization's list and its images' holders (parks it). */
  private unlink(h: IndexedHost): void {
    if (!h.listed) return;
    const list = h.row.orgId === null ? undefined : this.byOrg.get(h.row.orgId);
    if (list) {
      let at = lowerBound(list, h);
      // Not where its figures say (the order was broken somewhere): look for it.
      if (list[at] !== h) at = list.indexOf(h);
      if (at >= 0) list.splice(at, 1);
    }
    this.leaveHolders(h);
  }

  private leaveHolders(h: IndexedHost): void {
    h.listed = false;
    for (const digest of h.digests) {
      const holders = this.holders.get(digest);
      if (!holders) continue;
      let at = idBound(holders, h.row.id);
      if (holders[at] !== h) at = holders.indexOf(h);
      if (at >= 0) holders.splice(at, 1);
    }
  }

  /**
   * Puts a host that could take a VM in its organization's list and its images' holders, in
   * their orders; one that could not stays parked.
   */
  private link(h: IndexedHost): void {
    if (h.listed || !open(h.row)) return;
    h.listed = true;
    if (h.row.orgId !== null) {
      const list = this.byOrg.get(h.row.orgId) ?? [];
      this.byOrg.set(h.row.orgId, list);
      list.splice(lowerBound(list, h), 0, h);
    }
    for (const digest of h.digests) {
      const holders = this.holders.get(digest) ?? [];
      this.holders.set(digest, holders);
      holders.splice(idBound(holders, h.row.id), 0, h);
    }
  }

  /**
   * This process planned a reservation (placement counts it before it commits, so that the
   * placements planned meanwhile see it; a failed one is given back with a negative demand). A
   * read under way may or may not see it: then the index is read again instead.
   */
  reserved(hostId: string, d: Demand): void {
    if (this.readingAll) {
      this.invalidate();
      return;
    }
    if (this.readingIds.has(hostId)) {
      // The row being read may or may not show it: read that host again after.
      this.invalidateHosts([hostId]);
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

  /**
   * Changes a host's figures and keeps its organization's list in free-memory order: a host
   * that can no longer take any VM is parked, a parked one that can again joins the list.
   */
  private reposition(h: IndexedHost, change: () => void): void {
    if (!h.listed) {
      change();
      this.link(h);
      return;
    }
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
    change();
    if (!open(h.row)) {
      list.splice(at, 1);
      this.leaveHolders(h);
      return;
    }
    const to = newPlace(list, at, h);
    if (Math.abs(to - at) <= SHIFT_AT_MOST) {
      // A short way (binpack's usual move, any move in a varied fleet): shift the hosts between.
      const step = to < at ? -1 : 1;
      for (let i = at; i !== to; i += step) list[i] = list[i + step] as IndexedHost;
      list[to] = h;
      return;
    }
    // A long way (spread across a run of identical hosts): out and back in, two native moves
    // of the list (~7 µs each for 10,000 hosts here). Array.prototype.copyWithin measured 35x
    // slower than a splice on this list (V8 copies element by element): see docs/performance.md.
    list.splice(at, 1);
    list.splice(lowerBound(list, h), 0, h);
  }

  /** A reservation on this host was refused: the index was wrong about it; read it again. */
  async refresh(ctx: Ctx, hostId: string): Promise<void> {
    this.invalidateHosts([hostId]);
    await this.current(ctx);
  }

  /**
   * The best few placeable hosts of the organization, chosen as a fleet-wide walk would: a random
   * window of those holding each requested image, then the best by free memory (most for
   * spread, least that still fits for binpack). Only the chosen few become `Candidate`s.
   */
  candidates(ctx: Ctx, orgId: string, demands: VmDemand[], strategy: Strategy): Candidate[] {
    const need = minimumDemand(demands);
    const limit = Math.max(CANDIDATES_PER_WALK, demands.length * 4);
    const chosen = new Map<string, IndexedHost>();
    for (const digest of new Set(demands.map((d) => d.digest))) {
      for (const h of this.sampleHolders(digest, orgId, need, limit)) chosen.set(h.row.id, h);
    }
    for (const h of this.best(orgId, need, limit, strategy)) chosen.set(h.row.id, h);
    // A candidate's images are the host's own set, not a copy: read in this turn only.
    return [...chosen.values()].map((h) => toCandidate(ctx, h.row, h.digests));
  }

  private sampleHolders(digest: string, orgId: string, need: Demand, limit: number) {
    const list = this.holders.get(digest);
    const out: IndexedHost[] = [];
    if (!list || list.length === 0) return out;
    const start = Math.floor(Math.random() * list.length);
    let k = 0;
    for (; k < list.length && out.length < limit; k++) {
      const h = list[(start + k) % list.length] as IndexedHost;
      if (placeable(h.row, orgId, need)) out.push(h);
    }
    this.walked += k;
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
        this.walked++;
        if (h.row.freeMem < need.mem) break;
        if (placeable(h.row, orgId, need)) top.push(h);
      }
      return top;
    }
    const first = firstWithFreeMem(list, need.mem);
    let i = first;
    for (; i < list.length && top.length < limit; i++) {
      const h = list[i] as IndexedHost;
      if (placeable(h.row, orgId, need)) top.push(h);
    }
    this.walked += i - first;
    return top;
  }
}

/** Free memory ascending, then id: the order of an organization's list. */
function byFreeMem(a: IndexedHost, b: IndexedHost): number {
  return a.row.freeMem - b.row.freeMem || compare(a.row.id, b.row.id);
}

/** Where the host `id` is (or would go) in a list in id order. */
function idBound(list: IndexedHost[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare((list[mid] as IndexedHost).row.id, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where `h`, at `at` in a list otherwise in `byFreeMem` order, belongs once moved: the hosts
 * between `at` and there are the ones to shift.
 */
function newPlace(list: IndexedHost[], at: number, h: IndexedHost): number {
  let lo: number;
  let hi: number;
  if (at > 0 && byFreeMem(list[at - 1] as IndexedHost, h) > 0) {
    lo = 0;
    hi = at;
  } else if (at < list.length - 1 && byFreeMem(list[at + 1] as IndexedHost, h) < 0) {
    lo = at + 1;
    hi = list.length;
  } else {
    return at;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byFreeMem(list[mid] as IndexedHost, h) < 0) lo = mid + 1;
    else hi = mid;
  }
  // Moving right, the hosts before `lo` shift left by one and `h` takes the last of them.
  return lo > at ? lo - 1 : lo;
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

/** The smallest VM a request can ask for. */
const SMALLEST_VM: Demand = {
  cpu: VM_LIMITS.cpu.min,
  mem: VM_LIMITS.mem.min,
  disk: VM_LIMITS.disk.min,
};

/**
 * Whether a host could take the smallest VM there is: one that cannot is parked out of the
 * walks (the refusal pass, over every host in the database, still says why it was not chosen).
 */
function open(r: Row): boolean {
  return r.orgId !== null && placeable(r, r.orgId, SMALLEST_VM);
}

/** Whether a host can take the smallest VM of a request now (the refusal pass says why not). */
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

/** Code-unit order of ids (holders are kept in id order; a window starts at a random one). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
