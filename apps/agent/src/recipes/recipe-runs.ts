import {
  type AgentRecipeRunReq,
  ApiError,
  type FailureInfo,
  type RecipeStep,
  type VmOperationResp,
} from '@apiary/protocol';
import { currentRequestId, type Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import type { OperationRunner } from '../vms/operation-runner.js';
import {
  insertOperation,
  type OperationRow,
  pendingFor,
  toOperation,
  updateOperation,
} from '../vms/operation-store.js';
import { getVm, type VmRow } from '../vms/vm-store.js';
import { presentVms } from '../vms/vm-view.js';
import { RecipeStepError, runRecipeSteps } from './recipe-steps.js';
import { Transcript } from './transcript.js';
import { openZloginConsole } from './zlogin-link.js';

export interface RecipeRunDeps {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
  runner: OperationRunner;
  /** The environment host commands run with (zlogin's, as for the console websocket). */
  commandEnv: Record<string, string>;
  onChange: () => void;
}

/** What a recipe run's operation records (never the secrets' values). */
interface RunParams {
  recipe: AgentRecipeRunReq['recipe'];
  steps: RecipeStep[];
}

/**
 * Recipe runs: an operation (`recipe_run`) that drives the VM's serial console through
 * `zlogin -C`, in turn with the VM's other operations. The secrets' values live in memory from
 * the request to the end of the run and nowhere else (not in the operation's params, not in a
 * log line); an agent restarted in between fails the run rather than guess them.
 */
export class RecipeRuns {
  private readonly secrets = new Map<string, Record<string, string>>();

  constructor(private readonly deps: RecipeRunDeps) {
    deps.runner.handle('recipe_run', (op, vm, finish) => this.run(op, vm, finish));
  }

  start(id: string, req: AgentRecipeRunReq): VmOperationResp {
    const { db } = this.deps;
    const params: RunParams = { recipe: req.recipe, steps: req.steps };
    const { vm, op } = db.transaction((txDb) => {
      const tx = txDb as unknown as Db;
      const vm = getVm(tx, id);
      if (!vm) throw new ApiError('not_found', `no VM ${id}`);
      const busy = pendingFor(tx, id)[0];
      if (busy) {
        throw new ApiError(
          'conflict',
          `operation ${busy.id} (${busy.kind}) is in progress on ${id}`,
          { retryable: true },
        );
      }
      if (vm.state !== 'running') {
        throw new ApiError('conflict', `VM ${id} is ${vm.state}; a recipe runs on a running VM`);
      }
      const op = insertOperation(
        tx,
        id,
        'recipe_run',
        currentRequestId() ?? null,
        new Date(),
        params,
      );
      return { vm, op };
    });
    this.secrets.set(op.id, req.secrets);
    this.deps.runner.schedule(op);
    return {
      vm: presentVms(db, this.deps.layout, [vm])[0]!,
      operation: toOperation(op),
    };
  }

  private async run(
    op: OperationRow,
    vm: VmRow,
    finish: (op: OperationRow, error: FailureInfo | null) => void,
  ): Promise<void> {
    const { db, log } = this.deps;
    const params = JSON.parse(op.params ?? '{}') as RunParams;
    const secrets = this.secrets.get(op.id);
    this.secrets.delete(op.id);
    const recipe = `${params.recipe.name} v${params.recipe.version}`;
    if (!secrets) {
      finish(op, {
        code: 'recipe_failed',
        msg: `recipe ${recipe} not run: the agent restarted and no longer holds its secrets; run it again`,
      });
      return;
    }
    const transcript = new Transcript(Object.values(secrets));
    const link = openZloginConsole(this.deps.exec, this.deps.commandEnv, vm.id);
    let failure: FailureInfo | null = null;
    try {
      const nic = this.deps.runner.context(vm).nics[0];
      const values = (name: string): string | undefined => {
        if (name.startsWith('secret:')) return secrets[name.slice('secret:'.length)];
        if (name === 'ip') return nic?.ip ?? '';
        if (name === 'gateway') return nic?.gateway ?? '';
        return undefined;
      };
      await runRecipeSteps(link, params.steps, values, transcript, (n, step) => {
        // The step's kind and number only: a line may hold a secret once filled in.
        updateOperation(db, op.id, { step: `${n}:${Object.keys(step)[0]}` });
        log.debug({ step: n, kind: Object.keys(step)[0] }, 'recipe step');
      });
    } catch (error) {
      const why = error instanceof RecipeStepError ? error.message : `failed: ${String(error)}`;
      failure = {
        code: 'recipe_failed',
        msg: `recipe ${recipe} ${why.slice(0, 1000)}; transcript tail:\n${transcript.tail().slice(-2000)}`,
      };
    } finally {
      await link.close();
    }
    updateOperation(db, op.id, { transcript: transcript.text() });
    log.info(
      { recipe: params.recipe.name, version: params.recipe.version, ok: failure === null },
      'recipe run finished',
    );
    finish(op, failure);
    this.deps.onChange();
  }
}
