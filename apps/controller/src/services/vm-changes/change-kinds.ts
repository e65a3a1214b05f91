import { ApiError, type FailureInfo, VmOperationKind } from '@apiary/protocol';
import { type SagaStep, StepFailure } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { startDeleteSaga, startPowerSaga } from '../envs/env-sagas.js';
import { getEnvRow } from '../envs/env-view.js';
import { VmOpError } from '../envs/vm-op-error.js';
import { markVmDeleted } from '../hosts/apply-inventory.js';
import type { SagaKind, SagaRun } from '../sagas/saga-engine.js';
import { migrationSteps } from '../vm-migrations/migration-steps.js';
import type { AgentAcceptances } from './agent-acceptance.js';
import { runAgentStep } from './agent-step.js';
import type { ChangeInput } from './change-input.js';
import { overlayForClone, withoutClone } from './clone-network.js';
import { publishSnapshot } from './publish-snapshot.js';
import { pushIsoIfNeeded } from './push-iso.js';
import { recordOutcome } from './record-step.js';
import { giveBack } from './reservation.js';
import { SagaEnvHolds } from './saga-env-holds.js';

type Run = SagaRun<ChangeInput>;

/** An operation's failure as recorded: the agent's (or our) code and message, unprefixed. */
function failureOf(error: unknown): FailureInfo {
  const cause = error instanceof StepFailure ? error.cause : error;
  if (cause instanceof VmOpError || cause instanceof ApiError) {
    return { code: cause.code, msg: cause.message };
  }
  return { code: 'internal', msg: (cause as Error)?.message ?? String(cause) };
}

async function setResult(ctx: Ctx, id: string, result: Record<string, unknown>): Promise<void> {
  await ctx.db.update(ctx.t.sagas).set({ result }).where(eq(ctx.t.sagas.id, id));
}

/** A clone that did not happen: its VM row goes, and the reservation it held with it. */
async function dropClone(ctx: Ctx, run: Run): Promise<void> {
  const clone = run.input.clone;
  if (!clone) return;
  await withoutClone(ctx, clone.vmId, () =>
    ctx.db.transaction(async (tx) =>
      markVmDeleted(ctx, tx, ctx.clock.now(), clone.vmId, run.input.hostId),
    ),
  );
}

/**
 * The saga kinds of VM changes, one per operation kind, all of three steps:
 *
 * * `reserve`: the capacity was reserved when the change was accepted (same transaction as the
 *   saga's row); its undo gives it back (a clone's new VM row goes with it).
 * * `agent`: under the environment's lease, send the change to the agent (or find it there after
 *   a restart) and follow its operation; a failed agent operation was undone by the agent.
 * * `record`: the VM row takes what the agent's VM says now; the reservation is settled.
 */
export function createVmChangeKinds(
  ctx: Ctx,
  acceptances: AgentAcceptances,
): SagaKind<ChangeInput>[] {
  const holds = new SagaEnvHolds(ctx);
  const steps: SagaStep<Run>[] = [
    {
      name: 'reserve',
      run: async () => {},
      undo: async (run) => {
        await giveBack(ctx, run.id);
        await dropClone(ctx, run);
      },
    },
    {
      name: 'agent',
      run: async (run) => {
        await holds.take(run);
        if (run.input.kind === 'publish_image') {
          const image = await publishSnapshot(ctx, run, (e) => acceptances.settle(run.id, e));
          await setResult(ctx, run.id, image);
          return;
        }
        if (run.input.clone) await overlayForClone(ctx, run.input.clone.vmId);
        await runAgentStep(ctx, run, {
          before: (client) => pushIsoIfNeeded(ctx, client, run.input),
          answered: (error) => acceptances.settle(run.id, error),
        });
      },
      undo: async () => {},
    },
    {
      name: 'record',
      run: async (run) => {
        await holds.take(run);
        await recordOutcome(ctx, run);
        if (run.input.clone) await setResult(ctx, run.id, { vm_id: run.input.clone.name });
      },
      undo: async () => {},
    },
  ];
  const finished = async (run: Run, outcome: 'succeeded' | 'failed') => {
    await holds.release(run.id);
    const row = (
      await ctx.db
        .select({ createdAt: ctx.t.sagas.createdAt })
        .from(ctx.t.sagas)
        .where(eq(ctx.t.sagas.id, run.id))
    )[0];
    if (row) {
      const seconds = Math.max(0, ctx.clock.now() - Number(row.createdAt)) / 1000;
      ctx.metrics.vmChangeDuration.observe({ kind: run.input.kind, outcome }, seconds);
    }
    acceptances.settle(run.id, null);
    acceptances.forget(run.id);
    // An environment saga asked for while the change held the environment goes now.
    const env = await getEnvRow(ctx, run.input.envId);
    if (env?.state === 'deleting') await startDeleteSaga(ctx, env.id);
    if (env?.state === 'stopping') await startPowerSaga(ctx, env.id, 'stop');
    if (env?.state === 'starting') await startPowerSaga(ctx, env.id, 'start');
  };
  const changes = VmOperationKind.options
    .filter((kind) => kind !== 'migrate')
    .map((kind) => ({ kind, steps, failure: failureOf, finished }));
  // A migration (issue 15) is a VM change of its own steps, accepted and finished the same way.
  const migrate = {
    kind: 'migrate',
    steps: migrationSteps(ctx, holds, acceptances),
    failure: failureOf,
    finished,
  };
  return [...changes, migrate];
}
