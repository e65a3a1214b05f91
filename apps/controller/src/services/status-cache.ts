/*
 * `GET /v1/status` counts the whole fleet: with 10,000 hosts and 100,000 VMs that is ~200 ms of
 * aggregates on every request. The figures change only when the database does, so each
 * controller keeps the last figures per organization scope and reads them again only after a
 * change:
 * - every data-changing statement this process sends to a table they count (`Database.onWrite`,
 *   `touchesStatus`) drops them all. Other writes (lease renewals every few seconds, sessions,
 *   audit) do not, or the figures would hardly ever be kept. Deletes that cascade into a
 *   counted table start at one (a VM goes with its environment);
 * - on PostgreSQL, another controller's commit that touched hosts, VMs, environments or images
 *   notifies every controller (drizzle/pg `status_change_feed`), and the relay drops them.
 * Liveness is not cached: it is counted at each request from this controller's tracker, which
 * is ahead of the database.
 *
 * Requests that arrive while figures are being read share that read (one set of aggregates
 * however many ask at once), unless a change came in after it started: the read started before
 * a write may not show it, and a caller that saw its write committed must see it counted.
 */

/** What the PostgreSQL trigger `status_change_feed` notifies (drizzle/pg migration). */
export const STATUS_CHANGED = '{"status_changed":true}';

/*
 * A write to a table status counts: hosts, VMs, environments, images; quoted (drizzle) or not
 * (the written-out reservation statement), also behind a WITH.
 */
const COUNTED_WRITE =
  /^\s*(?:with\b[\s\S]*?\b)?(?:insert\s+into|update|delete\s+from)\s+"?(?:hosts|vms|envs|images)"?(?:\s|\(|$)/i;

/** For `Database.onWrite`: whether a write may change what status counts. */
export function touchesStatus(query: string): boolean {
  return COUNTED_WRITE.test(query);
}

/** Scopes kept at most (one per organization asking, plus the all-organizations one). */
const MAX_SCOPES = 1_000;

interface Entry<T> {
  /** The generation the read started at: valid while nothing changed since. */
  generation: number;
  figures: Promise<T>;
}

export class StatusCache<T> {
  private generation = 0;
  private readonly entries = new Map<string, Entry<T>>();

  /** Reads of the figures so far (tests watch it). */
  reads = 0;

  constructor(private readonly onRead: () => void = () => {}) {}

  /** Something the figures count may have changed: the next request reads them again. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /** The figures of `scope`, read with `read` unless a read since the last change has them. */
  get(scope: string, read: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(scope);
    if (cached && cached.generation === this.generation) return cached.figures;
    if (this.entries.size >= MAX_SCOPES) this.entries.clear();
    const entry: Entry<T> = { generation: this.generation, figures: read() };
    this.reads++;
    this.onRead();
    this.entries.set(scope, entry);
    // A failed read is not kept: the next request tries again.
    entry.figures.catch(() => {
      if (this.entries.get(scope) === entry) this.entries.delete(scope);
    });
    return entry.figures;
  }
}
