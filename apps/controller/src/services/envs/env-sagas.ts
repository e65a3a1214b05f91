import type { FailureInfo } from '@apiary/protocol';
import { withLogBindings } from '@apiary/server-kit';
import { and, asc, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { param, statement } from '../../db/prepared-statement.js';

import { mapBounded } from '../../lib/limit.js';
import {
  createVmOnAgent,
  deleteVmOnAgent,
  Interrupted,
  powerVmOnAgent,
  setVmState,
  VmOpError,
} from './agent-vm-ops.js';
import { type EnvHold, runOnEnv } from './env-lock.js';
import { syncEnvOverlays } from './env-overlays.js';
import { setEnvError, transitionEnv } from './env-state.js';
import { getEnvRow, type VmRow } from './env-view.js';

/* Read at each step of every environment's saga: prepared once (db/prepared-statement.ts). */
const liveVmsOfEnv = statement('live_vms_of_env', (db, { vms }) =>
  db
    .select()
    .from(vms)
    .where(and(eq(vms.envId, param('envId')), ne(vms.state, 'deleted')))
    .orderBy(asc(vms.idx)),
);

async function liveVms(ctx: Ctx, envId: string): Promise<VmRow[]> {
  return await liveVmsOfEnv.run(ctx, { envId });
}

function onSagaError(ctx: Ctx) {
  return (name: string, e: unknown) => {
    if (e instanceof Interrupted) {
      ctx.log.info({ env_id: name }, 'saga interrupted; it resumes on the next start');
      return;
    }
    ctx.log.error({ env_id: name, error: e }, 'saga crashed');
  };
}

/**
 * One environment operation in its log scope (every line names the environment), timed by
 * kind and by the state it left the environment in.
 */
function scoped(ctx: Ctx, envId: string, kind: string, run: (hold: EnvHold) => Promise<void>) {
  return (hold: EnvHold) =>
    withLogBindings({ env_id: envId }, async () => {
      const started = performance.now();
      try {
        await run(hold);
      } finally {
        const outcome = (await getEnvRow(ctx, envId))?.state ?? 'gone';
        ctx.metrics.sagaDuration.observe({ kind, outcome }, (performance.now() - started) / 1000);
      }
    });
}

/**
 * Starts the saga that makes a `creating` environment real (or resumes it, here or on another
 * controller than the one that began it). False while a saga holds the environment.
 */
export function startCreateSaga(ctx: Ctx, envId: string): Promise<boolean> {
  return runOnEnv(
    ctx,
    envId,
    'exclusive',
    scoped(ctx, envId, 'create', (hold) => runCreate(ctx, envId, hold)),
    onSagaError(ctx),
  );
}

/*
 * Delete, stop and start are recorded in the environment's state before their saga runs: if a
 * VM action still holds the environment, the saga goes right after it.
 */
export function startDeleteSaga(ctx: Ctx, envId: string): Promise<boolean> {
  return runOnEnv(
    ctx,
    envId,
    'next',
    scoped(ctx, envId, 'delete', (hold) => runDelete(ctx, envId, hold)),
    onSagaError(ctx),
  );
}

export function startPowerSaga(
  ctx: Ctx,
  envId: string,
  action: 'stop' | 'start',
): Promise<boolean> {
  return runOnEnv(
    ctx,
    envId,
    'next',
    scoped(ctx, envId, action, (hold) => runPower(ctx, envId, action, hold)),
    onSagaError(ctx),
  );
}

/**
 * Creates every VM in parallel (bounded). All-or-nothing by default: the first failure stops
 * the VMs not yet sent and rolls back the ones that were, on every host. The decision to roll
 * back is written before acting, so a restart in the middle continues the rollback.
 */
async function runCreate(ctx: Ctx, envId: string, hold: EnvHold) {
  const env = await getEnvRow(ctx, envId);
  if (env?.state !== 'creating') return;
  const { signal } = hold;
  if (env.errorCode === null) {
    const failed = new AbortController();
    let first: FailureInfo | null = null;
    // The private network first (issue 14), on every host the VMs were placed on, with the
    // whole mapping: each VM reaches the others by private address as soon as it boots.
    try {
      await syncEnvOverlays(ctx, env);
    } catch (error) {
      if (error instanceof Interrupted || signal.aborted) throw new Interrupted();
      const e = error as VmOpError;
      first = { code: e.code ?? 'internal', msg: e.message };
      failed.abort();
    }
    await mapBounded(await liveVms(ctx, envId), ctx.config.createParallelism, async (vm) => {
      if (failed.signal.aborted) return;
      try {
        await createVmOnAgent(ctx, env, vm, signal);
      } catch (error) {
        if (error instanceof Interrupted || signal.aborted) throw new Interrupted();
        const e = error instanceof VmOpError ? error : new VmOpError('internal', String(error));
        await setVmState(ctx, vm.id, 'failed', { code: e.code, msg: e.message });
        first ??= { code: e.code, msg: `VM ${vm.name} on host ${vm.hostId}: ${e.message}` };
        if (env.onFailure === 'rollback') failed.abort();
      }
    });
    if (!first) {
      if (await transitionEnv(ctx, envId, ['creating'], 'active', null, hold.fence())) {
        ctx.log.info({ env_id: envId }, 'environment active');
      }
      return;
    }
    ctx.metrics.sagaFailures.inc({ kind: 'create' });
    // The decision to roll back, recorded before acting: whoever resumes continues the rollback.
    await setEnvError(ctx, envId, first, hold.fence());
    if (signal.aborted) throw new Interrupted();
    ctx.log.warn(
      {
        env_id: envId,
        error: first,
      },
      'environment create failed',
    );
  }
  const rows = await liveVms(ctx, envId);
  const keep = env.onFailure === 'keep' && rows.some((v) => v.state === 'running');
  // keep: only the failed VMs go; rollback: everything that may exist on a host goes.
  const doomed = keep ? rows.filter((v) => v.state !== 'running') : rows;
  const leftovers = await deleteAll(ctx, doomed, hold.signal);
  // The mapping loses the VMs that went; hosts left without one lose the overlay.
  const networkLeft = await settleOverlays(ctx, envId);
  if (leftovers > 0 || networkLeft) ctx.metrics.sagaFailures.inc({ kind: 'rollback' });
  const settled = keep ? 'degraded' : 'failed';
  await transitionEnv(ctx, envId, ['creating'], settled, undefined, hold.fence());
}

/** Deletes VMs in parallel; returns how many could not be deleted (the reaper retries them). */
async function deleteAll(ctx: Ctx, rows: VmRow[], signal: AbortSignal): Promise<number> {
  let failures = 0;
  await mapBounded(rows, ctx.config.createParallelism, async (vm) => {
    try {
      await deleteVmOnAgent(ctx, vm, signal);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      failures++;
      ctx.log.warn(
        {
          vm_id: vm.id,
          error: String(error),
        },
        'VM delete failed; will retry',
      );
    }
  });
  return failures;
}

/**
 * Brings the environment's overlays in step with the VMs it has left (issue 14); true when that
 * failed (logged; the next delete or cleanup pass tries again).
 */
async function settleOverlays(ctx: Ctx, envId: string): Promise<boolean> {
  const env = await getEnvRow(ctx, envId);
  if (!env) return false;
  try {
    await syncEnvOverlays(ctx, env);
    return false;
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    ctx.log.warn(
      { env_id: envId, error: String(error) },
      'private network not in step; will retry',
    );
    return true;
  }
}

/**
 * Deletes every VM, then the private network's overlays; the environment is `deleted` only when
 * its last VM is confirmed gone and no host keeps its overlay.
 */
async function runDelete(ctx: Ctx, envId: string, hold: EnvHold) {
  const env = await getEnvRow(ctx, envId);
  if (env?.state !== 'deleting') return;
  let leftovers = await deleteAll(ctx, await liveVms(ctx, envId), hold.signal);
  if (await settleOverlays(ctx, envId)) leftovers++;
  if (leftovers === 0) {
    if (await transitionEnv(ctx, envId, ['deleting'], 'deleted', null, hold.fence())) {
      ctx.log.info({ env_id: envId }, 'environment deleted');
    }
  } else {
    ctx.metrics.sagaFailures.inc({ kind: 'delete' });
    await setEnvError(
      ctx,
      envId,
      { code: 'delete_incomplete', msg: `${leftovers} VMs could not be deleted yet; retrying` },
      hold.fence(),
    );
  }
}

/** Retries the deletes a rollback could not finish (environment already `failed`/`degraded`). */
export function startLeftoverCleanup(ctx: Ctx, envId: string): Promise<boolean> {
  return runOnEnv(
    ctx,
    envId,
    'exclusive',
    async (hold) => {
      const rows = (await liveVms(ctx, envId)).filter(
        (v) => v.state === 'deleting' || v.state === 'failed',
      );
      await deleteAll(ctx, rows, hold.signal);
      await settleOverlays(ctx, envId);
    },
    onSagaError(ctx),
  );
}

async function runPower(ctx: Ctx, envId: string, action: 'stop' | 'start', hold: EnvHold) {
  const transient = action === 'stop' ? 'stopping' : 'starting';
  const env = await getEnvRow(ctx, envId);
  if (env?.state !== transient) return;
  let failures = 0;
  let first: FailureInfo | null = null;
  const rows = (await liveVms(ctx, envId)).filter(
    (v) => v.state !== 'failed' && v.state !== 'deleting',
  );
  await mapBounded(rows, ctx.config.createParallelism, async (vm) => {
    try {
      await powerVmOnAgent(ctx, vm, action, hold.signal);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      failures++;
      first ??= { code: (error as VmOpError).code ?? 'internal', msg: (error as Error).message };
    }
  });
  if (failures > 0) ctx.metrics.sagaFailures.inc({ kind: action });
  const done = action === 'stop' ? 'stopped' : 'active';
  const settled = failures === 0 ? done : 'degraded';
  await transitionEnv(ctx, envId, [transient], settled, first, hold.fence());
}
