import { ApiError } from '@apiary/protocol';
import type { SagaStep } from '@apiary/server-kit';
import type { Ctx } from '../../context.js';
import type { AgentAcceptances } from '../vm-changes/agent-acceptance.js';
import { giveBack } from '../vm-changes/reservation.js';
import type { SagaEnvHolds } from '../vm-changes/saga-env-holds.js';
import { commitImport, undoCommit } from './commit-step.js';
import { dropExport } from './drop-export.js';
import { abortImport, openImport } from './import-step.js';
import type { MigrationRun } from './migration-agents.js';
import { overlayFollowsVm, overlayOnTarget } from './overlay-steps.js';
import { restartOnSource, stopOnSource } from './power-steps.js';
import { releaseOnSource, settleMigration } from './release-steps.js';
import { runExport } from './run-export.js';
import { switchHost } from './switch-host.js';

/**
 * The steps of a migration (docs/controller.md, "Moving VMs between hosts"), each with its
 * undo, each safe to run again after a crash (it looks at what the agents hold before asking):
 *
 * reserve → import (target) → copy (full, VM running) → stop (source) → delta (incremental)
 * → commit (target; started if it ran) → switch (the VM row, one transaction) → release
 * (source) → network (the environment's private network follows the VM; the import step put
 * its overlay on the target first) → settle (the source's reservation given back, result
 * recorded).
 *
 * Every step from `import` on runs under the environment's lease, like every VM change.
 */
export function migrationSteps(
  ctx: Ctx,
  holds: SagaEnvHolds,
  acceptances: AgentAcceptances,
): SagaStep<MigrationRun>[] {
  /** An agent's refusal before the first copy started is the route's answer. */
  const answering = async (run: MigrationRun, task: () => Promise<void>) => {
    try {
      await task();
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) acceptances.settle(run.id, error);
      throw error;
    }
  };
  const nothing = async () => {};
  return [
    { name: 'reserve', run: nothing, undo: (run) => giveBack(ctx, run.id) },
    {
      name: 'import',
      run: async (run) => {
        await holds.take(run);
        await answering(run, async () => {
          await overlayOnTarget(ctx, run);
          await openImport(ctx, run);
        });
      },
      undo: async (run) => {
        await abortImport(ctx, run);
        await overlayFollowsVm(ctx, run);
      },
    },
    {
      name: 'copy',
      run: async (run) => {
        await holds.take(run);
        await answering(run, () =>
          runExport(ctx, run, 'full', () => acceptances.settle(run.id, null)),
        );
      },
      undo: (run) => dropExport(ctx, run, 'full'),
    },
    {
      name: 'stop',
      run: async (run) => {
        await holds.take(run);
        await stopOnSource(ctx, run);
      },
      undo: (run) => restartOnSource(ctx, run),
    },
    {
      name: 'delta',
      run: async (run) => {
        await holds.take(run);
        await runExport(ctx, run, 'delta');
      },
      undo: (run) => dropExport(ctx, run, 'delta'),
    },
    {
      name: 'commit',
      run: async (run) => {
        await holds.take(run);
        await commitImport(ctx, run);
      },
      undo: (run) => undoCommit(ctx, run),
    },
    {
      name: 'switch',
      run: async (run) => {
        await holds.take(run);
        await switchHost(ctx, run);
      },
      undo: nothing,
    },
    {
      name: 'release',
      run: async (run) => {
        await holds.take(run);
        await releaseOnSource(ctx, run);
      },
      undo: nothing,
    },
    {
      name: 'network',
      run: async (run) => {
        await holds.take(run);
        await overlayFollowsVm(ctx, run);
      },
      undo: nothing,
    },
    { name: 'settle', run: (run) => settleMigration(ctx, run), undo: nothing },
  ];
}
