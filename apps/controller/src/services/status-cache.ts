/*
 * `GET /v1/status` counts the whole fleet: with 10,000 hosts and 100,000 VMs that is ~200 ms of
 * aggregates on every request. The figures change only when the database does, so each
 * controller keeps the last figures per organization scope and reads them again only after a
 * change:
 * - every data-changing statement this process sends to a table they count (`Database.onWrite`,
 *   `tableWritten`) drops the parts that count that table. Other writes (lease renewals every few seconds, sessions,
 *   audit) do not, or the figures would hardly ever be kept. Deletes that cascade into a
 *   counted table start at one (a VM goes with its environment);
 * - on PostgreSQL, another controller's commit that touched hosts, VMs, environments or images
 *   notifies every controller with the table's name (drizzle/pg `status_change_feed`, then
 *   `status_feed_per_table`), and the relay drops the parts that count it;
 * - on SQLite, another process's write (a second connection to the file) moves a number per
 *   table (triggers, migration status_table_changes), compared at each request.
 * Liveness is not cached: it is counted at each request from this controller's tracker, which
 * is ahead of the database.
 *
 * The figures are kept in parts, each dropped only by a change of the tables it counts: a stream
 * of VM state writes reads the VMs' kept counts again (a few rows, vm-counts.ts), not the 10,000
 * hosts' rows and policies (lists19).
 *
 * Requests that arrive while figures are being read share that read (one set of aggregates
 * however many ask at once), unless a change came in after it started: the read started before
 * a write may not show it, and a caller that saw its write committed must see it counted.
 */

/** The tables status counts; each kept part of its figures depends on some of them. */
export const COUNTED_TABLES = ['hosts', 'vms', 'envs', 'images'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

/**
 * What the PostgreSQL trigger `status_change_feed` notifies: the table a committed statement
 * wrote (drizzle/pg migration 0017). Controllers of before that notified `{"status_changed":true}`
 * for any of them.
 */
export function statusChanged(table: CountedTable): string {
  return `{"status_changed":"${table}"}`;
}
const ANY_TABLE_CHANGED = '{"status_changed":true}';

/** For the change feed's relay: which counted tables a notification says changed, if any. */
export function tablesOfNotice(payload: string): readonly CountedTable[] {
  if (payload === ANY_TABLE_CHANGED) return COUNTED_TABLES;
  return COUNTED_TABLES.filter((t) => payload === statusChanged(t));
}

/*
 * A write to a table status counts: hosts, VMs, environments, images; quoted (drizzle) or not
 * (the written-out reservation statement), also behind a WITH.
 */
const COUNTED_WRITE =
  /^\s*(?:with\b[\s\S]*?\b)?(?:insert\s+into|update|delete\s+from)\s+"?(hosts|vms|envs|images)"?(?:\s|\(|$)/i;

/** For `Database.onWrite`: the counted table a write may change, if any. */
export function tableWritten(query: string): CountedTable | undefined {
  return COUNTED_WRITE.exec(query)?.[1]?.toLowerCase() as CountedTable | undefined;
}

/** Parts kept at most (a few per organization asking, plus the all-organizations ones). */
const MAX_ENTRIES = 4_000;

interface Entry {
  /** The changes of its tables the read started after: valid while none came since. */
  stamp: number;
  figures: Promise<unknown>;
}

export class StatusCache {
  /** Changes seen per table (only ever grows, so a sum over tables is a valid stamp). */
  private readonly changes = new Map<CountedTable, number>(COUNTED_TABLES.map((t) => [t, 0]));
  private readonly entries = new Map<string, Entry>();

  /** Reads of a part of the figures so far (tests watch it). */
  reads = 0;

  /** The last numbers of `tableChanges` seen. */
  private readonly seen = new Map<string, number>();

  /**
   * `tableChanges` (SQLite): each counted table's number of writes by anyone, compared at each
   * `get`; a table whose number moved drops the parts that count it (another process's writes).
   */
  constructor(
    private readonly onRead: () => void = () => {},
    private readonly tableChanges?: () => { tbl: string; n: number }[],
  ) {}

  private noteOthersWrites(): void {
    if (!this.tableChanges) return;
    for (const { tbl, n } of this.tableChanges()) {
      if (this.seen.get(tbl) === n) continue;
      this.seen.set(tbl, n);
      if ((COUNTED_TABLES as readonly string[]).includes(tbl))
        this.invalidate([tbl as CountedTable]);
    }
  }

  /** `tables` (all of them when not said) may have changed: parts counting them are read again. */
  invalidate(tables: readonly CountedTable[] = COUNTED_TABLES): void {
    for (const t of tables) this.changes.set(t, (this.changes.get(t) ?? 0) + 1);
  }

  private stampOf(tables: readonly CountedTable[]): number {
    let stamp = 0;
    for (const t of tables) stamp += this.changes.get(t) ?? 0;
    return stamp;
  }

  /**
   * The part `key` of the figures, which counts `tables`: read with `read` unless a read started
   * since the last change of those tables has it.
   */
  get<T>(key: string, tables: readonly CountedTable[], read: () => Promise<T>): Promise<T> {
    this.noteOthersWrites();
    const stamp = this.stampOf(tables);
    const cached = this.entries.get(key);
    if (cached && cached.stamp === stamp) return cached.figures as Promise<T>;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const figures = read();
    const entry: Entry = { stamp, figures };
    this.reads++;
    this.onRead();
    this.entries.set(key, entry);
    // A failed read is not kept: the next request tries again.
    figures.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return figures;
  }
}
