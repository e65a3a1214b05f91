import type { Db, Tx } from '../../db/database.js';

/*
 * Group commit for placements. Each placement is a short transaction (a reservation and a few
 * inserts) whose fixed costs (BEGIN, COMMIT, the WAL write and sync on SQLite; the round trips
 * of BEGIN and COMMIT on PostgreSQL) are a large part of the whole. Placements that arrive while
 * a group is being written wait and then go together: ONE transaction, each member inside a
 * savepoint of its own, so each is still all-or-nothing. A member that fails (its reservation
 * lost, its name taken) rolls back to its savepoint, undoing only itself, and the others commit.
 *
 * A member's promise settles only after the group's COMMIT: nobody is told "placed" for work
 * that might still roll back. If the COMMIT itself fails, every member that had succeeded gets
 * that error (nothing of theirs was written).
 *
 * Nothing waits to gather a group: a placement that finds no group running starts one at once
 * (alone, no added latency); groups form only under load, from what queued meanwhile.
 */

interface Member {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface GroupCommitOptions {
  /**
   * Groups written at once. SQLite has one connection (one transaction at a time, tx-gate.ts):
   * 1. PostgreSQL has a pool, and a group is written on one of its connections.
   */
  concurrentGroups: number;
  /** The most members in one group (bounds a group's transaction time and lock holding). */
  maxMembers: number;
}

export class GroupCommit {
  private readonly queue: Member[] = [];
  private running = 0;

  /** Groups committed or rolled back so far, and the members they held (tests, metrics). */
  readonly stats = { groups: 0, members: 0, largest: 0 };

  /** Placements waiting for a group to start (tests wait for a group to form). */
  get queued(): number {
    return this.queue.length;
  }

  constructor(
    private readonly db: Db,
    private readonly options: GroupCommitOptions,
    private readonly onGroup: (size: number) => void = () => {},
  ) {}

  /**
   * Runs `work` inside its own savepoint of a transaction shared with the placements that
   * arrived together, and resolves with its result once that transaction has committed. Throws
   * what `work` threw (only its own writes undone), or the group's commit error.
   */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.startGroups();
    });
  }

  private startGroups(): void {
    while (this.running < this.options.concurrentGroups && this.queue.length > 0) {
      const members = this.queue.splice(0, this.options.maxMembers);
      this.running++;
      void this.write(members).finally(() => {
        this.running--;
        this.startGroups();
      });
    }
  }

  private async write(members: Member[]): Promise<void> {
    this.stats.groups++;
    this.stats.members += members.length;
    this.stats.largest = Math.max(this.stats.largest, members.length);
    this.onGroup(members.length);
    const outcomes: Outcome[] = [];
    try {
      await this.db.transaction(async (tx) => {
        if (members.length === 1) {
          // Alone: the transaction is its own, no savepoint needed (a failure rolls it all back).
          outcomes.push({ ok: true, value: await (members[0] as Member).work(tx) });
          return;
        }
        for (const m of members) {
          try {
            // drizzle's nested transaction is a SAVEPOINT: released on success, rolled back to
            // (and the error rethrown) on failure.
            outcomes.push({ ok: true, value: await tx.transaction((sp) => m.work(sp)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // BEGIN or COMMIT failed, a savepoint could not be rolled back, or a lone member failed:
      // nothing is written.
      members.forEach((m, i) => {
        const own = outcomes[i];
        m.reject(own && !own.ok ? own.error : error);
      });
      return;
    }
    members.forEach((m, i) => {
      const own = outcomes[i] as Outcome;
      if (own.ok) m.resolve(own.value);
      else m.reject(own.error);
    });
  }
}
