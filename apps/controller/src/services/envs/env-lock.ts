import type { SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { Lease } from '../leases/lease.js';
import type { LeaseSource, LeaseState } from '../leases/lease-holders.js';
import { Interrupted } from './vm-op-error.js';

/*
 * One saga per environment at a time, across every controller sharing the database. Whoever runs
 * an environment's saga (create, delete, stop, start, a VM action, a drain's stop) holds the
 * lease `env:<id>`, renewed while the saga runs. The saga's progress is already durable (the
 * environment's and its VMs' states, written before each step), so the lease is all another
 * controller needs: when the holder dies, its lease expires and the reaper there (see reaper.ts)
 * takes it and resumes the saga from those states. A holder that stalled past its lease (a long
 * GC pause, SIGSTOP) finds its signal aborted at the next renewal, and its settling writes are
 * fenced by the lease's epoch, so it cannot undo what the adopter decided.
 */

/** The environment leases this controller holds (for `/v1/health` and `/metrics`). */
export class HeldEnvLeases implements LeaseSource {
  readonly kind = 'saga';
  /** One per environment: counted by kind at `/metrics`, never a series each. */
  readonly seriesPerLease = false;
  readonly holds = new Set<EnvHold>();

  leases(): LeaseState[] {
    return [...this.holds].map((h) => h.state());
  }
}

/** An environment's lease, held by this controller while one of its sagas runs. */
export class EnvHold {
  private readonly lost = new AbortController();
  private readonly renewal: NodeJS.Timeout;
  /** Aborted when this controller shuts down or loses the lease: stop at the next safe point. */
  readonly signal: AbortSignal;

  constructor(
    private readonly ctx: Ctx,
    readonly envId: string,
    private readonly lease: Lease,
  ) {
    this.signal = AbortSignal.any([ctx.work.signal, this.lost.signal]);
    this.renewal = setInterval(() => void this.renew(), Math.max(100, lease.ttlMs / 3));
    this.renewal.unref();
    ctx.envLeases.holds.add(this);
  }

  state(): LeaseState {
    return { name: this.lease.name, epoch: this.lease.epoch, expiresAt: this.lease.expiresAt };
  }

  /** The condition every settling write of the saga carries (see Lease.fence). */
  fence(): SQL {
    return this.lease.fence();
  }

  /** Extends the lease; once lost (another controller adopted the saga) it stays lost. */
  async renew(): Promise<boolean> {
    if (this.lost.signal.aborted) return false;
    const held = await this.lease.renew().catch(() => false);
    if (held) return true;
    this.ctx.log.warn({ env_id: this.envId }, 'environment lease lost; its saga stops here');
    this.lost.abort(new Interrupted());
    return false;
  }

  /** Gives the lease back: the next saga of this environment may start anywhere at once. */
  async release(): Promise<void> {
    clearInterval(this.renewal);
    this.ctx.envLeases.holds.delete(this);
    await this.lease.release().catch((error) => {
      this.ctx.log.warn({ env_id: this.envId, error }, 'could not release environment lease');
    });
  }
}

/** Takes the environment's lease, or null while another saga (here or elsewhere) holds it. */
export async function holdEnv(ctx: Ctx, envId: string): Promise<EnvHold | null> {
  const lease = new Lease(ctx, `env:${envId}`, ctx.controllerId, ctx.config.sagaLeaseTtlMs);
  if (!(await lease.acquireOrRenew())) return null;
  return new EnvHold(ctx, envId, lease);
}

type OnError = (name: string, e: unknown) => void;

/**
 * Runs `task` under the environment's lease, in the background.
 *
 * * `exclusive` (a saga that must not wait: a create, a VM action): started only if nothing
 *   holds the environment now; returns whether it started.
 * * `next` (a saga whose intent is already recorded in the environment's state: delete, stop,
 *   start): queued behind this controller's running saga of the environment. If another
 *   controller holds the environment then, nothing runs here: the recorded state stays, and the
 *   reaper resumes it once that lease is given back or expires.
 */
export async function runOnEnv(
  ctx: Ctx,
  envId: string,
  how: 'exclusive' | 'next',
  task: (hold: EnvHold) => Promise<unknown>,
  onError: OnError,
): Promise<boolean> {
  if (how === 'next') {
    return ctx.work.runNext(
      envId,
      async () => {
        const hold = await holdEnv(ctx, envId);
        if (!hold) {
          ctx.log.info({ env_id: envId }, 'environment held by another controller; not run here');
          return;
        }
        await task(hold).finally(() => hold.release());
      },
      onError,
    );
  }
  if (ctx.work.stopping || ctx.work.isBusy(envId)) return false;
  const hold = await holdEnv(ctx, envId);
  if (!hold) return false;
  const started = ctx.work.runExclusive(
    envId,
    () => task(hold).finally(() => hold.release()),
    onError,
  );
  if (!started) await hold.release();
  return started;
}
