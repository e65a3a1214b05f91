import type Database from 'better-sqlite3';
import type { Ctx } from '../../context.js';
import type { Candidate, Strategy, VmDemand } from './plan.js';

/*
 * Candidate hosts for placement, read with prepared statements that walk the `hosts_free_mem`
 * index (most free memory first for spread, least free that still fits for binpack): the cost
 * depends on how many candidates are needed, not on the size of the fleet. The free-memory
 * expression is spelled exactly as in the index.
 */

const COLUMNS = `h.id, h.hostname, h.liveness, h.policy, h.org_id, h.engines,
  h.tls_presented_fingerprint,
  h.total_cpu, h.total_mem, h.total_disk,
  h.total_cpu - h.reserved_cpu - h.foreign_cpu AS free_cpu,
  h.total_mem - h.reserved_mem - h.foreign_mem AS free_mem,
  h.total_disk - h.reserved_disk - h.foreign_disk AS free_disk`;

const PLACEABLE = `h.org_id = @org AND h.liveness = 'ready' AND h.policy = 'eligible'
  AND h.tls_presented_fingerprint IS NULL
  AND ("total_mem" - "reserved_mem" - "foreign_mem") >= @mem
  AND h.total_cpu - h.reserved_cpu - h.foreign_cpu >= @cpu
  AND h.total_disk - h.reserved_disk - h.foreign_disk >= @disk`;

const ORDER = { spread: 'DESC', binpack: 'ASC' } as const;

interface Row {
  id: string;
  hostname: string;
  liveness: string;
  policy: string;
  org_id: string | null;
  engines: string;
  tls_presented_fingerprint: string | null;
  total_cpu: number;
  total_mem: number;
  total_disk: number;
  free_cpu: number;
  free_mem: number;
  free_disk: number;
}

type Statements = Record<'rest', Record<Strategy, Database.Statement>> & {
  holderMin: Database.Statement;
  holderMax: Database.Statement;
  holdersFrom: Database.Statement;
  holdersBefore: Database.Statement;
  all: Database.Statement;
  allInOrg: Database.Statement;
};

const cache = new WeakMap<Database.Database, Statements>();

function statements(sqlite: Database.Database): Statements {
  let s = cache.get(sqlite);
  if (!s) {
    const rest = (o: Strategy) =>
      sqlite.prepare(
        `SELECT ${COLUMNS} FROM hosts h WHERE ${PLACEABLE}
         ORDER BY ("total_mem" - "reserved_mem" - "foreign_mem") ${ORDER[o]} LIMIT @limit`,
      );
    // Hosts holding an image are sampled, not sorted: a window of placeable holders starting
    // at a random point of the digest index (a popular image may be on thousands of hosts).
    // The planner scores the sample; like Nomad's scheduler, it never scores the whole fleet.
    const holders = (cmp: '>=' | '<') =>
      sqlite.prepare(
        `SELECT ${COLUMNS} FROM host_images i CROSS JOIN hosts h ON h.id = i.host_id
         WHERE i.digest = @digest AND i.rowid ${cmp} @start AND ${PLACEABLE} LIMIT @limit`,
      );
    s = {
      rest: { spread: rest('spread'), binpack: rest('binpack') },
      // Separate statements: SQLite answers a lone min() or max() with one index seek.
      holderMin: sqlite.prepare('SELECT min(rowid) AS v FROM host_images WHERE digest = ?'),
      holderMax: sqlite.prepare('SELECT max(rowid) AS v FROM host_images WHERE digest = ?'),
      holdersFrom: holders('>='),
      holdersBefore: holders('<'),
      all: sqlite.prepare(`SELECT ${COLUMNS} FROM hosts h ORDER BY h.hostname, h.id`),
      allInOrg: sqlite.prepare(
        `SELECT ${COLUMNS} FROM hosts h WHERE h.org_id = ? ORDER BY h.hostname, h.id`,
      ),
    };
    cache.set(sqlite, s);
  }
  return s;
}

function toCandidate(ctx: Ctx, r: Row, images: Set<string>): Candidate {
  return {
    id: r.id,
    hostname: r.hostname,
    liveness: ctx.liveness.state(r.id) ?? r.liveness,
    policy: r.policy,
    orgId: r.org_id,
    engines: JSON.parse(r.engines) as string[],
    total: { cpu: r.total_cpu, mem: r.total_mem, disk: r.total_disk },
    free: { cpu: r.free_cpu, mem: r.free_mem, disk: r.free_disk },
    images,
    certificateChanged: r.tls_presented_fingerprint !== null,
  };
}

/** The best few placeable hosts: those holding a requested image first, then the rest. */
export function loadCandidates(
  ctx: Ctx,
  orgId: string,
  demands: VmDemand[],
  strategy: Strategy,
): Candidate[] {
  const s = statements(ctx.db.$client);
  const params = {
    org: orgId,
    cpu: Math.min(...demands.map((d) => d.cpu)),
    mem: Math.min(...demands.map((d) => d.mem)),
    disk: Math.min(...demands.map((d) => d.disk)),
    limit: Math.max(16, demands.length * 4),
  };
  const byId = new Map<string, Candidate>();
  for (const digest of new Set(demands.map((d) => d.digest))) {
    const lo = (s.holderMin.get(digest) as { v: number | null }).v;
    const hi = (s.holderMax.get(digest) as { v: number | null }).v;
    if (lo === null || hi === null) continue;
    const start = lo + Math.floor(Math.random() * (hi - lo + 1));
    const sample = s.holdersFrom.all({ ...params, digest, start }) as Row[];
    if (sample.length < params.limit) {
      sample.push(
        ...(s.holdersBefore.all({
          ...params,
          digest,
          start,
          limit: params.limit - sample.length,
        }) as Row[]),
      );
    }
    for (const r of sample) {
      const c = byId.get(r.id) ?? toCandidate(ctx, r, new Set());
      c.images.add(digest);
      byId.set(r.id, c);
    }
  }
  for (const r of s.rest[strategy].all(params) as Row[]) {
    if (!byId.has(r.id)) byId.set(r.id, toCandidate(ctx, r, new Set()));
  }
  return [...byId.values()];
}

/** Every host (of the organization, or all for super-admins), for a full pass and refusals. */
export function loadAllHosts(ctx: Ctx, orgId: string | null, digests: string[]): Candidate[] {
  const s = statements(ctx.db.$client);
  const rows = (orgId === null ? s.all.all() : s.allInOrg.all(orgId)) as Row[];
  const held = new Map<string, Set<string>>();
  if (digests.length > 0) {
    const q = ctx.db.$client.prepare(
      `SELECT host_id, digest FROM host_images WHERE digest IN (${digests.map(() => '?').join(',')})`,
    );
    for (const r of q.all(...digests) as Array<{ host_id: string; digest: string }>) {
      const set = held.get(r.host_id) ?? new Set<string>();
      set.add(r.digest);
      held.set(r.host_id, set);
    }
  }
  return rows.map((r) => toCandidate(ctx, r, held.get(r.id) ?? new Set()));
}
