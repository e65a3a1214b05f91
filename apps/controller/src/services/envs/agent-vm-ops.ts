import {
  type AgentClient,
  type AgentVm,
  ApiError,
  type FailureInfo,
  type Operation,
} from '@apiary/protocol';
import { and, eq, lte } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { param, setParam, statement } from '../../db/prepared-statement.js';
import { markVmDeleted, vmEventData } from '../hosts/apply-inventory.js';
import { getHostRow } from '../hosts/host-view.js';
import { getRecipe } from '../recipes/recipes.js';
import { runRecipeOnVm } from '../recipes/run-recipe.js';
import { confirmGone } from './confirm-gone.js';
import type { EnvRow, VmRow } from './env-view.js';
import { viewNics, vmNetworksOnAgent } from './private-network.js';
import { pushImageIfNeeded } from './push-image.js';
import { asVmOpError, Interrupted, VmOpError } from './vm-op-error.js';
import { waitForOperation } from './wait-operation.js';

export { Interrupted, VmOpError };

export async function agentFor(ctx: Ctx, vm: VmRow): Promise<AgentClient> {
  const host = await getHostRow(ctx, vm.hostId ?? '');
  if (!host) throw new VmOpError('host_missing', `host ${vm.hostId} of VM ${vm.name} is not known`);
  return ctx.agents.forHost(host);
}

/** Records what the agent says about a VM unless we already hold a newer report. */
export async function recordAgentVm(
  ctx: Ctx,
  vmId: string,
  a: AgentVm,
  opts: { keepState?: string } = {},
) {
  const { vms } = ctx.t;
  const now = ctx.clock.now();
  await ctx.db
    .update(vms)
    .set({
      state: opts.keepState ?? a.state,
      ip: a.ip,
      portMap: a.port_map,
      ...(a.nics ? { nics: viewNics(a.nics) } : {}),
      errorCode: a.error?.code ?? null,
      errorMsg: a.error?.msg ?? null,
      generation: a.generation,
      // The machine as the host has it (issue 13), when the agent says: a start or restart
      // applies pending changes, so they are refreshed after every operation.
      ...(a.disks ? { disks: a.disks } : {}),
      ...(a.cdrom !== undefined ? { cdrom: a.cdrom } : {}),
      ...(a.pending_changes !== undefined ? { pendingChanges: a.pending_changes } : {}),
      updatedAt: now,
    })
    // A heartbeat may have brought newer news meanwhile: never go back in generations.
    .where(and(eq(vms.id, vmId), lte(vms.generation, a.generation)));
}

/* A VM's state is written at every step of its operations: prepared once (prepared-statement.ts). */
const vmStateSet = statement('vm_state_set', (db, { vms }) =>
  db
    .update(vms)
    .set({ state: setParam('state'), updatedAt: setParam('updatedAt') })
    .where(eq(vms.id, param('id')))
    .returning(),
);

const vmStateAndErrorSet = statement('vm_state_and_error_set', (db, { vms }) =>
  db
    .update(vms)
    .set({
      state: setParam('state'),
      errorCode: setParam('errorCode'),
      errorMsg: setParam('errorMsg'),
      updatedAt: setParam('updatedAt'),
    })
    .where(eq(vms.id, param('id')))
    .returning(),
);

const vmMarkedSent = statement('vm_marked_sent', (db, { vms }) =>
  db
    .update(vms)
    .set({ sent: true })
    .where(eq(vms.id, param('id'))),
);

export async function setVmState(
  ctx: Ctx,
  vmId: string,
  state: string,
  error?: FailureInfo | null,
) {
  const values = { id: vmId, state, updatedAt: ctx.clock.now() };
  const [row] =
    error === undefined
      ? await vmStateSet.run(ctx, values)
      : await vmStateAndErrorSet.run(ctx, {
          ...values,
          errorCode: error?.code ?? null,
          errorMsg: error?.msg ?? null,
        });
  if (row) {
    ctx.events.publish({ type: 'vm.state', orgId: row.orgId, data: vmEventData(row, state) });
  }
}

/**
 * Creates one VM on its agent: idempotent by VM id, so resuming after a crash sends the same
 * request again. The VM is marked `sent` before the call: from then on a rollback must delete it.
 */
export async function createVmOnAgent(ctx: Ctx, env: EnvRow, vm: VmRow, signal: AbortSignal) {
  const { hostImages } = ctx.t;
  if (vm.state === 'running') return;
  try {
    const client = await agentFor(ctx, vm);
    await vmMarkedSent.run(ctx, { id: vm.id });
    await pushImageIfNeeded(ctx, client, vm);
    // By digest: the agent pulls exactly what was placed, whatever the name means by then.
    const source = (vm.imageDigest ?? vm.image) as `sha256:${string}`;
    const { vm: accepted, operation } = await client.createVm({
      body: {
        id: vm.id,
        env_id: vm.envId,
        ...(vm.bootIso ? { boot_iso: source } : { image: source }),
        cpu: vm.cpu,
        mem: vm.mem,
        disk: vm.disk,
        ports: vm.ports,
        deny_outgoing: vm.denyOutgoing,
        ssh_keys: env.sshKeys,
        ...(vm.loginUser ? { user: vm.loginUser } : {}),
        ...vmNetworksOnAgent(env, vm),
      },
    });
    await recordAgentVm(ctx, vm.id, accepted, { keepState: 'creating' });
    const done = await waitForOperation(ctx, client, operation, signal);
    const after = await client.getVm({ params: { id: vm.id } }).catch(() => null);
    if (after) await recordAgentVm(ctx, vm.id, after);
    if (done.state !== 'succeeded') {
      throw new VmOpError(
        done.error?.code ?? 'create_failed',
        done.error?.msg ?? `creating ${vm.name} failed`,
      );
    }
    // A recipe runs once, after the first boot, before the VM counts as created.
    if (vm.recipe && vm.recipeVersion && vm.recipeState !== 'succeeded') {
      const recipe = await getRecipe(ctx, vm.orgId, vm.recipe, vm.recipeVersion);
      const facts = { hostname: vm.name, sshKeys: env.sshKeys };
      const run = await runRecipeOnVm(ctx, vm, recipe, facts, signal);
      if (run.error) throw new VmOpError('recipe_failed', run.error.msg);
    }
    await setVmState(ctx, vm.id, 'running', null);
    // The host holds the image now, whatever its next inventory takes to say so.
    if (vm.imageDigest && vm.hostId) {
      await ctx.db
        .insert(hostImages)
        .values({ hostId: vm.hostId, digest: vm.imageDigest })
        .onConflictDoNothing();
    }
  } catch (error) {
    throw asVmOpError(error, `creating ${vm.name}`);
  }
}

/**
 * Deletes one VM on its agent and releases its reservation once the host is seen to hold
 * nothing of it (`confirmGone`): neither a finished operation nor a 404 is taken for that. A VM
 * never sent to an agent is simply released. On failure the VM stays `deleting` with the
 * error, and keeps its reservation: the reaper tries again; the record is never dropped.
 */
export async function deleteVmOnAgent(ctx: Ctx, vm: VmRow, signal: AbortSignal) {
  if (vm.state === 'deleted') return;
  if (!vm.sent) {
    await ctx.db.transaction(async (tx) =>
      markVmDeleted(ctx, tx, ctx.clock.now(), vm.id, vm.hostId ?? ''),
    );
    await setVmState(ctx, vm.id, 'deleted');
    return;
  }
  await setVmState(ctx, vm.id, 'deleting');
  try {
    const client = await agentFor(ctx, vm);
    let done: Operation | null = null;
    try {
      const { operation } = await client.deleteVm({ params: { id: vm.id } });
      done = await waitForOperation(ctx, client, operation, signal);
    } catch (error) {
      // The agent does not know the VM: what we wanted, if the host agrees (checked below).
      if (!(error instanceof ApiError && error.code === 'not_found')) throw error;
    }
    if (done && done.state !== 'succeeded') {
      throw new VmOpError(
        done.error?.code ?? 'delete_failed',
        done.error?.msg ?? `deleting ${vm.name} failed`,
      );
    }
    await confirmGone(client, vm.id);
    await ctx.db.transaction(async (tx) =>
      markVmDeleted(ctx, tx, ctx.clock.now(), vm.id, vm.hostId ?? ''),
    );
    await setVmState(ctx, vm.id, 'deleted', null);
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    const e = asVmOpError(error, `deleting ${vm.name}`);
    await setVmState(ctx, vm.id, 'deleting', { code: e.code, msg: e.message });
    throw e;
  }
}

/** Stop, start or restart one VM on its agent and record the outcome. */
export async function powerVmOnAgent(
  ctx: Ctx,
  vm: VmRow,
  action: 'stop' | 'start' | 'restart',
  signal: AbortSignal,
) {
  const target = action === 'stop' ? 'stopped' : 'running';
  if (vm.state === target && action !== 'restart') return;
  const transient = action === 'stop' ? 'stopping' : 'starting';
  await setVmState(ctx, vm.id, transient);
  let client: AgentClient | undefined;
  try {
    client = await agentFor(ctx, vm);
    const call = { stop: client.stopVm, start: client.startVm, restart: client.restartVm }[action];
    const { operation } = await call({ params: { id: vm.id } });
    const done = await waitForOperation(ctx, client, operation, signal);
    const after = await client.getVm({ params: { id: vm.id } }).catch(() => null);
    if (after) await recordAgentVm(ctx, vm.id, after);
    if (done.state !== 'succeeded') {
      throw new VmOpError(
        done.error?.code ?? `${action}_failed`,
        done.error?.msg ?? `${action} of ${vm.name} failed`,
      );
    }
    await setVmState(ctx, vm.id, target, null);
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    const e = asVmOpError(error, `${action} ${vm.name}`);
    // A failed stop does not make a VM failed: record what the host says, else what we knew.
    const actual = await client?.getVm({ params: { id: vm.id } }).catch(() => null);
    if (actual) await recordAgentVm(ctx, vm.id, actual);
    const state = actual?.state ?? vm.state;
    await setVmState(ctx, vm.id, state, { code: e.code, msg: e.message });
    throw e;
  }
}
