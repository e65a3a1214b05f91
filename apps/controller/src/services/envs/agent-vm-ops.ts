import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { type AgentClient, type AgentVm, ApiError, type Operation } from '@apiary/protocol';
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import { hostImages, hosts, images, vms } from '../../db/schema.js';
import { sleep } from '../../lib/limit.js';
import { markVmDeleted } from '../hosts/apply-inventory.js';
import { blobPath, blobSize } from '../images/image-store.js';
import type { EnvRow, VmRow } from './env-view.js';

/** A VM operation that did not succeed; recorded on the VM. */
export class VmOpError extends Error {
  constructor(
    readonly code: string,
    msg: string,
  ) {
    super(msg);
  }
}

/** The saga was asked to stop (shutdown); the work resumes on the next start. */
export class Interrupted extends Error {}

export function agentFor(ctx: Ctx, vm: VmRow, requestId?: string): AgentClient {
  const host = ctx.db
    .select()
    .from(hosts)
    .where(eq(hosts.id, vm.hostId ?? ''))
    .get();
  if (!host) throw new VmOpError('host_missing', `host ${vm.hostId} of VM ${vm.id} is not known`);
  return ctx.agents.forHost(host, requestId);
}

function asVmOpError(error: unknown, what: string): VmOpError {
  if (error instanceof VmOpError || error instanceof Interrupted) return error as VmOpError;
  if (error instanceof ApiError) return new VmOpError(error.code, `${what}: ${error.message}`);
  return new VmOpError('internal', `${what}: ${String(error)}`);
}

/** Records what the agent says about a VM unless we already hold a newer report. */
export function recordAgentVm(
  ctx: Ctx,
  vmId: string,
  a: AgentVm,
  opts: { keepState?: string } = {},
) {
  const now = ctx.clock.now();
  ctx.db
    .update(vms)
    .set({
      state: opts.keepState ?? a.state,
      ip: a.ip,
      portMap: a.port_map,
      errorCode: a.error?.code ?? null,
      errorMsg: a.error?.msg ?? null,
      generation: a.generation,
      updatedAt: now,
    })
    .where(eq(vms.id, vmId))
    .run();
}

export function setVmState(
  ctx: Ctx,
  vmId: string,
  state: string,
  error?: { code: string; msg: string } | null,
) {
  const patch: Partial<typeof vms.$inferInsert> = { state, updatedAt: ctx.clock.now() };
  if (error !== undefined) {
    patch.errorCode = error?.code ?? null;
    patch.errorMsg = error?.msg ?? null;
  }
  const row = ctx.db.update(vms).set(patch).where(eq(vms.id, vmId)).returning().get();
  if (row) {
    ctx.events.publish({
      type: 'vm.state',
      orgId: row.orgId,
      data: { id: row.id, env_id: row.envId, host_id: row.hostId, state },
    });
  }
}

/** Polls an agent operation until it ends. Transient failures to ask are retried until the deadline. */
export async function waitForOperation(
  ctx: Ctx,
  client: AgentClient,
  op: Operation,
  signal: AbortSignal,
): Promise<Operation> {
  const deadline = ctx.clock.now() + ctx.config.operationTimeoutMs;
  let delay = 50;
  let current = op;
  while (current.state === 'pending' || current.state === 'running') {
    if (signal.aborted) throw new Interrupted(`operation ${op.id} left running`);
    if (ctx.clock.now() > deadline) {
      throw new VmOpError(
        'timeout',
        `operation ${op.kind} on ${op.vm_id} did not finish in time (step ${current.step})`,
      );
    }
    await sleep(delay, signal);
    delay = Math.min(1000, Math.round(delay * 1.5));
    try {
      current = await client.getOperation({ params: { id: op.id } });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'not_found') {
        // The agent forgot the operation (e.g. restarted): the VM tells the outcome.
        return outcomeFromVm(client, op);
      }
      if (!(error instanceof ApiError) || !['unavailable', 'timeout'].includes(error.code))
        throw error;
    }
  }
  return current;
}

async function outcomeFromVm(client: AgentClient, op: Operation): Promise<Operation> {
  const vm = await client.getVm({ params: { id: op.vm_id } }).catch(() => null);
  const done: Record<string, string[]> = {
    create: ['running'],
    start: ['running'],
    restart: ['running'],
    stop: ['stopped'],
    delete: ['deleted'],
  };
  const ok = vm ? (done[op.kind] ?? []).includes(vm.state) : op.kind === 'delete';
  return {
    ...op,
    state: ok ? 'succeeded' : 'failed',
    error: ok
      ? null
      : (vm?.error ?? { code: 'lost', msg: `operation ${op.id} was lost by the agent` }),
  };
}

/** Pushes the image to a host added by address (it has no controller link to pull from). */
async function pushImageIfNeeded(ctx: Ctx, client: AgentClient, vm: VmRow) {
  if (!vm.imageDigest) return;
  const host = ctx.db
    .select()
    .from(hosts)
    .where(eq(hosts.id, vm.hostId ?? ''))
    .get();
  if (host?.source !== 'added') return;
  const held = ctx.db
    .select()
    .from(hostImages)
    .where(and(eq(hostImages.hostId, host.id), eq(hostImages.digest, vm.imageDigest)))
    .get();
  if (held) return;
  const image = ctx.db.select().from(images).where(eq(images.digest, vm.imageDigest)).get();
  if (!image) throw new VmOpError('image_missing', `image ${vm.imageDigest} is no longer stored`);
  try {
    await client.uploadImage({
      query: { name: image.name, format: image.format, digest: image.digest as `sha256:${string}` },
      body: Readable.toWeb(
        createReadStream(blobPath(ctx.imageDir, image.digest)),
      ) as ReadableStream,
      contentLength: blobSize(ctx.imageDir, image.digest),
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'conflict'))
      throw asVmOpError(error, 'image upload');
  }
}

/**
 * Creates one VM on its agent: idempotent by VM id, so resuming after a crash sends the same
 * request again. The VM is marked `sent` before the call: from then on a rollback must delete it.
 */
export async function createVmOnAgent(
  ctx: Ctx,
  env: EnvRow,
  vm: VmRow,
  requestId: string,
  signal: AbortSignal,
) {
  if (vm.state === 'running') return;
  try {
    const client = agentFor(ctx, vm, requestId);
    ctx.db.update(vms).set({ sent: true }).where(eq(vms.id, vm.id)).run();
    await pushImageIfNeeded(ctx, client, vm);
    const { vm: accepted, operation } = await client.createVm({
      body: {
        id: vm.id,
        env_id: vm.envId,
        image: (vm.imageDigest ?? vm.image) as `sha256:${string}`,
        cpu: vm.cpu,
        mem: vm.mem,
        disk: vm.disk,
        ports: vm.ports,
        deny_outgoing: vm.denyOutgoing,
        ssh_keys: env.sshKeys,
      },
    });
    recordAgentVm(ctx, vm.id, accepted, { keepState: 'creating' });
    const done = await waitForOperation(ctx, client, operation, signal);
    const after = await client.getVm({ params: { id: vm.id } }).catch(() => null);
    if (after) recordAgentVm(ctx, vm.id, after);
    if (done.state !== 'succeeded') {
      throw new VmOpError(
        done.error?.code ?? 'create_failed',
        done.error?.msg ?? `creating ${vm.id} failed`,
      );
    }
    setVmState(ctx, vm.id, 'running', null);
  } catch (error) {
    throw asVmOpError(error, `creating ${vm.id}`);
  }
}

/**
 * Deletes one VM on its agent and releases its reservation once the agent confirms it is gone.
 * A VM never sent to an agent is simply released. On failure the VM stays `deleting` with the
 * error, and keeps its reservation: the reaper tries again; the record is never dropped.
 */
export async function deleteVmOnAgent(ctx: Ctx, vm: VmRow, requestId: string, signal: AbortSignal) {
  if (vm.state === 'deleted') return;
  if (!vm.sent) {
    ctx.db.transaction((tx) => markVmDeleted(tx, ctx.clock.now(), vm.id, vm.hostId ?? ''));
    setVmState(ctx, vm.id, 'deleted');
    return;
  }
  setVmState(ctx, vm.id, 'deleting');
  try {
    const client = agentFor(ctx, vm, requestId);
    let done: Operation | null = null;
    try {
      const { operation } = await client.deleteVm({ params: { id: vm.id } });
      done = await waitForOperation(ctx, client, operation, signal);
    } catch (error) {
      // Already gone from the host: exactly what we wanted.
      if (!(error instanceof ApiError && error.code === 'not_found')) throw error;
    }
    if (done && done.state !== 'succeeded') {
      throw new VmOpError(
        done.error?.code ?? 'delete_failed',
        done.error?.msg ?? `deleting ${vm.id} failed`,
      );
    }
    ctx.db.transaction((tx) => markVmDeleted(tx, ctx.clock.now(), vm.id, vm.hostId ?? ''));
    setVmState(ctx, vm.id, 'deleted', null);
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    const e = asVmOpError(error, `deleting ${vm.id}`);
    setVmState(ctx, vm.id, 'deleting', { code: e.code, msg: e.message });
    throw e;
  }
}

/** Stop, start or restart one VM on its agent and record the outcome. */
export async function powerVmOnAgent(
  ctx: Ctx,
  vm: VmRow,
  action: 'stop' | 'start' | 'restart',
  requestId: string,
  signal: AbortSignal,
) {
  const target = action === 'stop' ? 'stopped' : 'running';
  if (vm.state === target && action !== 'restart') return;
  const transient = action === 'stop' ? 'stopping' : 'starting';
  setVmState(ctx, vm.id, transient);
  let client: AgentClient | undefined;
  try {
    client = agentFor(ctx, vm, requestId);
    const call = { stop: client.stopVm, start: client.startVm, restart: client.restartVm }[action];
    const { operation } = await call({ params: { id: vm.id } });
    const done = await waitForOperation(ctx, client, operation, signal);
    const after = await client.getVm({ params: { id: vm.id } }).catch(() => null);
    if (after) recordAgentVm(ctx, vm.id, after);
    if (done.state !== 'succeeded') {
      throw new VmOpError(
        done.error?.code ?? `${action}_failed`,
        done.error?.msg ?? `${action} of ${vm.id} failed`,
      );
    }
    setVmState(ctx, vm.id, target, null);
  } catch (error) {
    if (error instanceof Interrupted) throw error;
    const e = asVmOpError(error, `${action} ${vm.id}`);
    // A failed stop does not make a VM failed: record what the host says, else what we knew.
    const actual = await client?.getVm({ params: { id: vm.id } }).catch(() => null);
    if (actual) recordAgentVm(ctx, vm.id, actual);
    const state = actual?.state ?? vm.state;
    setVmState(ctx, vm.id, state, { code: e.code, msg: e.message });
    throw e;
  }
}
