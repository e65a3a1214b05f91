import type { FailureInfo, OperationKind, StorageBackend } from '@apiary/protocol';
import { type Logger, withLogBindings } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { portAllocations } from '../db/schema.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { type BootCheck, ZoneBootError } from '../host/zone-boot.js';
import { getZone, zoneadm } from '../host/zoneadm.js';
import type { ImageService } from '../images/image-service.js';
import type { AgentMetrics } from '../metrics.js';
import type { HostNetwork } from '../network/host-network.js';
import { releaseNics } from '../network/vm-nic-allocation.js';
import { nicPlan } from '../network/vm-nic-plan.js';
import { KeyedMutex, Semaphore } from '../util/semaphore.js';
import { isChangeKind } from './change-params.js';
import { runChange } from './change-runner.js';
import { CREATE_STEPS, egress, ports } from './create-steps.js';
import { getOperation, type OperationRow, updateOperation } from './operation-store.js';
import { runForward, runUndo, StepFailure } from './saga.js';
import { takeApart } from './take-apart.js';
import { bootVm, type VmContext } from './vm-context.js';
import { machineOf } from './vm-machine.js';
import { deleteVmRow, getVm, portsOf, setVmState, type VmRow } from './vm-store.js';
import { stateFromZone, toFailure } from './vm-view.js';

/** What a zone just booted has: its VM's machine as recorded (none of it pending). */
function bootedWith(vm: VmRow): Pick<VmRow, 'booted'> {
  return { booted: JSON.stringify(machineOf(vm)) };
}

/** Runs one operation of a kind registered with `OperationRunner.handle`; `finish` records its end. */
export type OperationHandler = (
  op: OperationRow,
  vm: VmRow,
  finish: (op: OperationRow, error: FailureInfo | null) => void,
) => Promise<void>;

/** The journaled step of an operation that is undoing: `undo:<step being undone>`. */
const UNDO = 'undo:';

export interface RunnerDeps {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
  images: ImageService;
  network: HostNetwork;
  /** Parent datasets of images and VM disks. */
  storage: { ensure(): Promise<void> };
  metrics: AgentMetrics;
  storageBackend: StorageBackend;
  tmpDir: string;
  /** Whole-saga attempts for a create that failed on a host command (after a full undo). */
  createAttempts: number;
  maxParallelCreates: number;
  /** How long a graceful shutdown may take before the zone is halted. */
  stopTimeoutMs: number;
  /** How a boot is confirmed (the zone seen running after a settle). */
  bootCheck: BootCheck;
  onChange: () => void;
}

/**
 * Executes VM operations: one at a time per VM (in the order they were accepted), a bounded
 * number of creates at once host-wide, each inside the log scope of the request that asked.
 */
export class OperationRunner {
  private readonly perVm = new KeyedMutex();
  private readonly creates: Semaphore;
  private readonly inflight = new Set<Promise<void>>();
  /**
   * The global NAT table is read and written by operations (their port forwards) and by the
   * reconciliation pass (which compares it with the database): changes to it take turns. Held
   * only around those commands, so a long create never holds up anything else.
   */
  private readonly natTable = new Semaphore(1);
  /** Operations of kinds run elsewhere (moving VMs: `export`, `import`), by kind. */
  private readonly handlers = new Map<OperationKind, OperationHandler>();

  constructor(private readonly deps: RunnerDeps) {
    this.creates = new Semaphore(deps.maxParallelCreates);
  }

  schedule(op: OperationRow): void {
    const task = this.perVm
      .run(op.vmId, () => this.execute(op.id))
      .catch((error) => this.deps.log.error({ operation_id: op.id, error }, 'operation crashed'));
    this.inflight.add(task);
    void task.finally(() => this.inflight.delete(task));
  }

  /** Run operations of `kind` with `handler` (in turn with the VM's other operations). */
  handle(kind: OperationKind, handler: OperationHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Run `task` while no operation changes the NAT table (they wait until it is done). */
  withNatTable<T>(task: () => Promise<T>): Promise<T> {
    return this.natTable.run(task);
  }

  /** Resolves when every scheduled operation has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  context(vm: VmRow, sshKeys?: string[]): VmContext {
    const { exec, log, layout, images, tmpDir, db } = this.deps;
    return {
      exec,
      log: log.child({ vm_id: vm.id }),
      layout,
      images,
      storage: this.deps.storageBackend,
      tmpDir,
      bootCheck: this.deps.bootCheck,
      withNatTable: (task) => this.withNatTable(task),
      vm,
      ports: portsOf(db, vm.id),
      nics: nicPlan(db, layout, vm),
      sshKeys: sshKeys ?? (JSON.parse(vm.sshKeys) as string[]),
      observeStep: (phase, step, seconds, ok) =>
        this.deps.metrics.sagaStepDuration.observe(
          { phase, step, result: ok ? 'ok' : 'error' },
          seconds,
        ),
    };
  }

  private async execute(opId: string): Promise<void> {
    const op = getOperation(this.deps.db, opId);
    if (!op || op.state === 'succeeded' || op.state === 'failed') return;
    // The work runs in the scope of the request that asked for it, even after a restart.
    const bindings = { request_id: op.requestId ?? undefined, operation_id: op.id, vm_id: op.vmId };
    await withLogBindings(bindings, async () => {
      const vm = getVm(this.deps.db, op.vmId);
      if (!vm) {
        this.finish(op, { code: 'not_found', msg: 'the VM no longer exists' });
        return;
      }
      updateOperation(this.deps.db, op.id, { state: 'running' });
      this.deps.log.info({ operation_id: op.id, kind: op.kind, vm_id: vm.id }, 'operation started');
      const handler = this.handlers.get(op.kind);
      if (handler) await handler(op, vm, (o, e) => this.finish(o, e));
      else if (op.kind === 'create') await this.creates.run(() => this.runCreate(op, vm));
      else if (op.kind === 'delete') await this.runDelete(op, vm);
      else if (isChangeKind(op.kind)) await this.runChangeOp(op, vm);
      else await this.runAction(op, vm);
    });
  }

  /** resize, disks, CD-ROM, snapshots: the change sagas (change-runner.ts). */
  private async runChangeOp(op: OperationRow, vm: VmRow): Promise<void> {
    const deps = {
      db: this.deps.db,
      stopTimeoutMs: this.deps.stopTimeoutMs,
      finish: (o: OperationRow, e: FailureInfo | null) => this.finish(o, e),
    };
    await runChange(deps, op, vm, this.context(vm));
  }

  private finish(op: OperationRow, error: FailureInfo | null): void {
    const state = error ? 'failed' : 'succeeded';
    updateOperation(this.deps.db, op.id, { state, error });
    this.deps.metrics.operations.inc({ kind: op.kind, result: state });
    const fields = { kind: op.kind, state, ...(error ? { error } : {}) };
    if (error) this.deps.log.warn(fields, 'operation finished');
    else this.deps.log.info(fields, 'operation finished');
    this.deps.onChange();
  }

  private async runCreate(op: OperationRow, vm: VmRow): Promise<void> {
    const { db } = this.deps;
    if (op.step?.startsWith(UNDO)) {
      await this.resumeCreateUndo(op, vm, op.step.slice(UNDO.length));
      return;
    }
    const done = new Set<string>(JSON.parse(op.doneSteps) as string[]);
    // The last step begun and not undone yet: after a crash, the one that was running (it may
    // have happened in full while the agent was down).
    let begun: string | null = CREATE_STEPS.some((s) => s.name === op.step) ? op.step : null;
    const journal = {
      begin: (step: string) => {
        begun = step;
        updateOperation(db, op.id, { step });
      },
      complete: (step: string) => {
        done.add(step);
        updateOperation(db, op.id, { doneSteps: JSON.stringify([...done]) });
      },
    };
    for (let attempt = 1; ; attempt++) {
      const ctx = this.context(vm);
      try {
        await this.deps.network.ensure();
        await this.deps.storage.ensure();
        await runForward(CREATE_STEPS, ctx, journal, done);
        setVmState(db, vm.id, 'running', null, { operationId: null, ...bootedWith(vm) });
        this.finish(op, null);
        return;
      } catch (error) {
        const failure = toFailure(error);
        // Undo through the failed step; a failure outside the steps (the host network or the
        // storage datasets could not be ensured) still undoes what a resumed create had done.
        const through = error instanceof StepFailure ? error.step : begun;
        // The undo is journaled, and the failure kept with the operation: an agent killed from
        // here on finishes this undo when it restarts, rather than resume a create whose done
        // steps are half taken apart (skipping steps whose work is gone).
        updateOperation(db, op.id, { error: failure });
        const leftovers = through
          ? await runUndo(CREATE_STEPS, ctx, through, (step) =>
              updateOperation(db, op.id, { step: `${UNDO}${step}` }),
            )
          : [];
        begun = null;
        done.clear();
        updateOperation(db, op.id, { doneSteps: '[]' });
        // The host refused something (a command, or a zone that halted right after boot): after a
        // full undo the whole create may well work. Validation and conflicts would not.
        const retry =
          leftovers.length === 0 &&
          (failure.code === 'host_command_failed' || failure.code === 'boot_failed') &&
          attempt < this.deps.createAttempts;
        if (retry) {
          // The failure kept for a crash during the undo is not this operation's any more.
          updateOperation(db, op.id, { error: null });
          this.deps.log.warn({ attempt, error: failure }, 'create failed and was undone; retrying');
          continue;
        }
        this.failCreate(vm, failure, leftovers.length > 0);
        this.finish(op, failure);
        return;
      }
    }
  }

  /**
   * A create the agent was killed in while it undid a failed attempt: the undo goes on from the
   * step it had reached (undo steps are idempotent; those after it are done) and the create
   * fails with the failure recorded when the undo began. It is not retried: the attempts it had
   * left were not kept, and the caller may create it again.
   */
  private async resumeCreateUndo(op: OperationRow, vm: VmRow, reached: string): Promise<void> {
    const { db } = this.deps;
    // A step name this agent does not know (renamed since): undo all of it, every undo is safe.
    const through = CREATE_STEPS.some((s) => s.name === reached) ? reached : undefined;
    const leftovers = await runUndo(CREATE_STEPS, this.context(vm), through, (step) =>
      updateOperation(db, op.id, { step: `${UNDO}${step}` }),
    );
    updateOperation(db, op.id, { doneSteps: '[]' });
    const failure: FailureInfo = op.errorCode
      ? { code: op.errorCode, msg: op.errorMsg ?? '' }
      : { code: 'internal', msg: 'the agent restarted while undoing a failed create' };
    this.failCreate(vm, failure, leftovers.length > 0);
    this.finish(op, failure);
  }

  /** A failed create keeps its record (state failed) but gives its reservations back. */
  private failCreate(vm: VmRow, failure: FailureInfo, leaked: boolean): void {
    const { db } = this.deps;
    if (leaked) {
      // Something could not be removed: keep the slot and ports so nothing reuses their names.
      setVmState(db, vm.id, 'failed', failure, { needsCleanup: true, operationId: null });
      return;
    }
    db.transaction((tx) => {
      tx.delete(portAllocations).where(eq(portAllocations.vmId, vm.id)).run();
      releaseNics(tx as unknown as Db, vm.id);
      setVmState(tx as unknown as Db, vm.id, 'failed', failure, {
        reserved: false,
        slot: null,
        needsCleanup: false,
        operationId: null,
      });
    });
  }

  private async runDelete(op: OperationRow, vm: VmRow): Promise<void> {
    const { db } = this.deps;
    const current = setVmState(db, vm.id, 'deleting', null, { operationId: op.id }) ?? vm;
    const journal = (step: string) => updateOperation(db, op.id, { step: `${UNDO}${step}` });
    const left = await takeApart(this.context(current), this.deps, journal).catch(
      (error: unknown) => [toFailure(error).msg],
    );
    if (left.length === 0) {
      deleteVmRow(db, vm.id);
      this.finish(op, null);
      return;
    }
    const failure: FailureInfo = {
      code: 'host_command_failed',
      msg: `delete incomplete: ${left.join('; ')}`.slice(0, 500),
    };
    setVmState(db, vm.id, 'failed', failure, { needsCleanup: true, operationId: null });
    this.finish(op, failure);
  }

  private async runAction(op: OperationRow, vm: VmRow): Promise<void> {
    const { db, exec } = this.deps;
    const ctx = this.context(vm);
    try {
      if (op.kind === 'stop') {
        updateOperation(db, op.id, { step: 'shutdown' });
        await zoneadm(exec, vm.id, 'shutdown', this.deps.stopTimeoutMs).catch(async (error) => {
          this.deps.log.warn(
            {
              vm_id: vm.id,
              error: toFailure(error),
            },
            'graceful shutdown failed; halting',
          );
          updateOperation(db, op.id, { step: 'halt' });
          await zoneadm(exec, vm.id, 'halt');
        });
        setVmState(db, vm.id, 'stopped', null, { operationId: null });
      } else {
        updateOperation(db, op.id, { step: op.kind === 'start' ? 'boot' : 'reboot' });
        const zone = op.kind === 'restart' ? await getZone(exec, vm.id) : null;
        await bootVm(ctx, zone?.state === 'running' ? 'reboot' : 'boot');
        // Rules live in the running zone's filter instance and the NAT table: put them back.
        if (egress.when?.(ctx)) await egress.run(ctx);
        await ports.run(ctx);
        setVmState(db, vm.id, 'running', null, { operationId: null, ...bootedWith(vm) });
      }
      this.finish(op, null);
    } catch (error) {
      const failure = toFailure(error);
      // A zone that halted right after boot has a VM that cannot run as it is (bhyve said why):
      // failed, with the reason. Anything else leaves the VM as its zone now shows it.
      const state =
        error instanceof ZoneBootError
          ? 'failed'
          : stateFromZone((await getZone(exec, vm.id).catch(() => null))?.state ?? null);
      setVmState(db, vm.id, state, failure, { operationId: null });
      this.finish(op, failure);
    }
  }

  /** Retry the undo of VMs whose create or delete could not remove everything. */
  async cleanup(vm: VmRow, deleting: boolean): Promise<boolean> {
    return this.perVm.run(vm.id, async () => {
      const fresh = getVm(this.deps.db, vm.id);
      if (!fresh?.needsCleanup) return true;
      if (deleting) {
        // The record goes only when the host shows nothing of the VM.
        const left = await takeApart(this.context(fresh), this.deps);
        if (left.length > 0) return false;
        deleteVmRow(this.deps.db, vm.id);
        this.deps.onChange();
        return true;
      }
      const failures = await runUndo(CREATE_STEPS, this.context(fresh));
      if (failures.length > 0) return false;
      this.failCreate(
        fresh,
        { code: fresh.errorCode ?? 'internal', msg: fresh.errorMsg ?? '' },
        false,
      );
      this.deps.onChange();
      return true;
    });
  }
}
