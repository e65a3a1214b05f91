import { ApiError, type FailureInfo } from '@apiary/protocol';
import {
  type Logger,
  newId,
  runForward,
  runUndo,
  type SagaStep,
  StepFailure,
  withLogBindings,
} from '@apiary/server-kit';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.js';
import { dbNowMs } from '../../db/db-clock.js';
import { Lease, LeaseLost } from '../leases/lease.js';
import type { LeaseState } from '../leases/lease-holders.js';

/*
 * Durable sagas in the controller, the same model as the agent's: steps with an undo each, the
 * progress journaled in the database. Whoever runs a saga holds its lease (`saga:<id>`); every
 * journal write is fenced by that lease, so when a controller dies (or stalls past its lease),
 * another adopts the saga and resumes it (state running) or finishes its undo (state undoing),
 * and the one that stalled can write nothing more.
 */

/** What a saga's steps see. */
export interface SagaRun<I> {
  id: string;
  resource: string;
  input: I;
  /** Aborted when this controller shuts down or loses the saga's lease. */
  signal: AbortSignal;
}

export interface SagaKind<I> {
  kind: string;
  steps: ReadonlyArray<SagaStep<SagaRun<I>>>;
  /** Turns a step's error into what is recorded (default: the error's code and message). */
  failure?(error: unknown): FailureInfo;
  /** After the saga ended (succeeded, or failed and undone): e.g. start what waited for it. */
  finished?(run: SagaRun<I>, outcome: 'succeeded' | 'failed'): Promise<void>;
}

export { LeaseLost };

export interface SagaEngineDeps {
  data: Database;
  /** This controller's id (lease holder). */
  controllerId: string;
  leaseTtlMs: number;
  log: Logger;
  clock?: { now(): number };
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own input type
  kinds: ReadonlyArray<SagaKind<any>>;
}

/** Extra columns recorded with a new saga, and work done in the same transaction as its insert. */
export interface StartOptions {
  columns?: Partial<Pick<SagaInsert, 'orgId' | 'vmId' | 'reserved'>>;
  prepare?: (tx: Tx, id: string) => Promise<void>;
}
type SagaInsert = Database['t']['sagas']['$inferInsert'];

type Row = {
  id: string;
  kind: string;
  resource: string;
  state: string;
  step: string | null;
  doneSteps: string[];
  input: Record<string, unknown>;
};

const UNDO = 'undo:';

function defaultFailure(error: unknown): FailureInfo {
  const cause = error instanceof StepFailure ? error.cause : error;
  const where = error instanceof StepFailure ? `${error.step}: ` : '';
  if (cause instanceof ApiError) return { code: cause.code, msg: `${where}${cause.message}` };
  return { code: 'internal', msg: `${where}${(cause as Error)?.message ?? String(cause)}` };
}

export class SagaEngine {
  private readonly running = new Map<
    string,
    { lease: Lease; abort: AbortController; done: Promise<void> }
  >();
  private stopping = false;

  constructor(private readonly deps: SagaEngineDeps) {}

  private kind(name: string): SagaKind<unknown> {
    const kind = this.deps.kinds.find((k) => k.kind === name);
    if (!kind) throw new Error(`no saga kind ${name}`);
    return kind;
  }

  private now(): number {
    return this.deps.clock?.now() ?? Date.now();
  }

  /**
   * Records a new saga on `resource` and starts running it here. Refused with `conflict` while
   * another saga runs on the same resource (the database's unique index decides, whichever
   * controller asked).
   */
  async start<I extends Record<string, unknown>>(
    kind: string,
    resource: string,
    input: I,
    options: StartOptions = {},
  ): Promise<string> {
    this.kind(kind);
    const { db, t } = this.deps.data;
    const id = newId('saga');
    const now = this.now();
    try {
      await db.transaction(async (tx) => {
        await tx.insert(t.sagas).values({
          ...options.columns,
          id,
          kind,
          resource,
          state: 'running',
          step: null,
          doneSteps: [],
          input,
          leftovers: [],
          createdAt: now,
          updatedAt: now,
        });
        // Acceptance checks and reservations commit with the saga, or not at all.
        await options.prepare?.(tx, id);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ApiError('conflict', `${resource} is busy with another operation; try again`, {
          retryable: true,
        });
      }
      throw error;
    }
    const lease = new Lease(
      this.deps.data,
      `saga:${id}`,
      this.deps.controllerId,
      this.deps.leaseTtlMs,
    );
    if (!(await lease.acquireOrRenew()))
      throw new Error(`could not take the lease of new saga ${id}`);
    this.launch({ id, kind, resource, state: 'running', step: null, doneSteps: [], input }, lease);
    return id;
  }

  /**
   * Takes over the sagas whose owner is gone (no lease, or an expired one) and runs them here.
   * Safe on every controller at once: the lease decides who gets each.
   */
  async adoptOrphans(): Promise<number> {
    if (this.stopping) return 0;
    const { db, t, engine } = this.deps.data;
    const rows = (await db
      .select()
      .from(t.sagas)
      .where(
        and(
          inArray(t.sagas.state, ['running', 'undoing']),
          sql`NOT EXISTS (SELECT 1 FROM ${t.leases} WHERE ${t.leases.name} = 'saga:' || ${t.sagas.id} AND ${t.leases.expiresAt} > ${dbNowMs(engine)})`,
        ),
      )) as Row[];
    let adopted = 0;
    for (const row of rows) {
      if (this.running.has(row.id)) continue;
      const lease = new Lease(
        this.deps.data,
        `saga:${row.id}`,
        this.deps.controllerId,
        this.deps.leaseTtlMs,
      );
      if (!(await lease.acquireOrRenew())) continue;
      this.deps.log.info({ saga_id: row.id, kind: row.kind, state: row.state }, 'saga adopted');
      this.launch(row, lease);
      adopted++;
    }
    return adopted;
  }

  /** Renews the lease of every saga running here; a saga whose lease was lost is stopped. */
  async renewLeases(): Promise<void> {
    for (const [id, entry] of this.running) {
      const held = await entry.lease.renew().catch(() => false);
      if (!held) {
        this.deps.log.warn({ saga_id: id }, 'saga lease lost; another controller has it');
        entry.abort.abort(new LeaseLost());
      }
    }
  }

  /** Waits for this controller's sagas to end, or stops them at a safe point (shutdown). */
  async stop(): Promise<void> {
    this.stopping = true;
    const entries = [...this.running.values()];
    for (const entry of entries) entry.abort.abort(new Error('shutting down'));
    await Promise.allSettled(entries.map((e) => e.done));
    // A clean shutdown hands its sagas back at once: another controller (or this one, started
    // again) adopts them at its next pass instead of waiting out the lease.
    await Promise.allSettled(entries.map((e) => e.lease.release()));
  }

  /** The leases (`saga:<id>`) of the sagas running here, for `/v1/health` and `/metrics`. */
  leases(): LeaseState[] {
    return [...this.running.values()].map(({ lease }) => ({
      name: lease.name,
      epoch: lease.epoch,
      expiresAt: lease.expiresAt,
    }));
  }

  /** Ids of the sagas running here (tests, metrics). */
  get held(): string[] {
    return [...this.running.keys()];
  }

  private launch(row: Row, lease: Lease): void {
    const abort = new AbortController();
    const done = withLogBindings({ saga_id: row.id }, () => this.run(row, lease, abort.signal))
      .catch((error) => {
        if (!(error instanceof LeaseLost) && !abort.signal.aborted) {
          this.deps.log.error({ saga_id: row.id, error }, 'saga crashed');
        }
      })
      .finally(() => this.running.delete(row.id));
    this.running.set(row.id, { lease, abort, done });
  }

  /** A journal write, only while this controller holds the saga's lease. */
  private async journal(id: string, lease: Lease, set: Record<string, unknown>): Promise<void> {
    const { db, t } = this.deps.data;
    const rows = await db
      .update(t.sagas)
      .set({ ...set, updatedAt: this.now() })
      .where(sql`${eq(t.sagas.id, id)} AND ${lease.fence()}`)
      .returning({ id: t.sagas.id });
    if (rows.length === 0) throw new LeaseLost();
  }

  private async run(row: Row, lease: Lease, signal: AbortSignal): Promise<void> {
    const kind = this.kind(row.kind);
    const run: SagaRun<unknown> = { id: row.id, resource: row.resource, input: row.input, signal };
    const done = new Set(row.doneSteps);
    let state = row.state;
    let through = row.step?.startsWith(UNDO) ? row.step.slice(UNDO.length) : row.step;
    if (state === 'running') {
      try {
        await runForward(
          kind.steps,
          run,
          {
            begin: (step) => {
              through = step;
              return this.journal(row.id, lease, { step });
            },
            complete: (step) => {
              done.add(step);
              return this.journal(row.id, lease, { doneSteps: [...done] });
            },
          },
          done,
          { log: this.deps.log },
        );
        await this.journal(row.id, lease, { state: 'succeeded', step: null });
        await lease.release();
        await kind.finished?.(run, 'succeeded');
        return;
      } catch (error) {
        if (error instanceof LeaseLost || signal.aborted) throw error;
        const failure = (kind.failure ?? defaultFailure)(error);
        // The decision to undo is written before acting: a restart continues the undo.
        await this.journal(row.id, lease, {
          state: 'undoing',
          errorCode: failure.code,
          errorMsg: failure.msg.slice(0, 1000),
        });
        state = 'undoing';
        if (error instanceof StepFailure) through = error.step;
      }
    }
    if (state === 'undoing') {
      const failures = through
        ? await runUndo(
            kind.steps,
            run,
            through,
            (step) => this.journal(row.id, lease, { step: `${UNDO}${step}` }),
            {
              log: this.deps.log,
            },
          )
        : [];
      if (signal.aborted) throw signal.reason;
      await this.journal(row.id, lease, {
        state: 'failed',
        step: null,
        leftovers: failures.map((f) => f.step),
      });
      await lease.release();
      await kind.finished?.(run, 'failed');
    }
  }
}

/** A unique-constraint violation on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
    if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) return true;
  }
  return false;
}
