import {
  ApiError,
  type CloneSnapshotReq,
  VM_ACTION_ENV_STATES,
  type VmSnapshot,
} from '@apiary/protocol';
import { eq, max } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { findEnv } from '../envs/addressing.js';
import { vmIdOf, vmNameOf } from '../envs/env-names.js';
import { getEnvRow, type VmRow } from '../envs/env-view.js';
import { allocatePrivateIps, takenPrivateIps, vmNetworksOnAgent } from '../envs/private-network.js';
import { acceptChange } from './accept-change.js';
import { diskTotal } from './record-step.js';

/**
 * A clone is a new VM in the source's environment (or `env`, of the same organization) with the
 * next index, on the source's host (a thin clone cannot leave it), holding its own reservation
 * like a placed VM: its row is inserted with the reservation, in the transaction that accepts
 * the operation, and both go if the clone fails.
 */
export async function acceptClone(
  ctx: Ctx,
  p: Principal,
  source: VmRow,
  snapshot: VmSnapshot,
  body: CloneSnapshotReq,
  org?: string,
): Promise<{ operationId: string; cloneId: string }> {
  const env = body.env ? await findEnv(ctx, p, body.env, org) : await getEnvRow(ctx, source.envId);
  if (!env || env.orgId !== source.orgId) {
    throw new ApiError('not_found', `environment ${body.env ?? ''} not found`);
  }
  if (!VM_ACTION_ENV_STATES.includes(env.state)) {
    throw new ApiError('conflict', `environment ${env.name} is ${env.state}`, { retryable: true });
  }
  const { vms } = ctx.t;
  const top = await ctx.db
    .select({ idx: max(vms.idx) })
    .from(vms)
    .where(eq(vms.envId, env.id));
  const idx = (top[0]?.idx ?? -1) + 1;
  const clone = { vmId: vmIdOf(env.id, idx), name: vmNameOf(env.name, idx) };
  // The clone joins the source's networks with NICs of its own, and its environment's private
  // network (when it has one) at a free address: checked again in the accepting transaction.
  const privateIp =
    env.vni !== null && env.privateSubnet !== null
      ? (allocatePrivateIps(
          env.privateSubnet,
          1,
          await takenPrivateIps(ctx.t, ctx.db, env.id),
        )[0] ?? null)
      : null;
  const networks = source.networks ?? null;
  const { machine } = snapshot;
  const now = ctx.clock.now();
  const operationId = await acceptChange(ctx, source, {
    kind: 'clone',
    call: {
      params: { id: source.id, name: snapshot.name },
      body: {
        id: clone.vmId,
        env_id: env.id,
        ssh_keys: body.ssh_keys ?? env.sshKeys,
        ...vmNetworksOnAgent(env, { networks, privateIp }),
      },
    },
    demand: { cpu: machine.cpu, mem: machine.mem, disk: diskTotal(machine.disk, machine.disks) },
    clone,
    prepare: async (tx) => {
      if (privateIp && (await takenPrivateIps(ctx.t, tx, env.id)).has(privateIp)) {
        throw new ApiError('conflict', `environment ${env.name} changed meanwhile; try again`, {
          retryable: true,
        });
      }
      await tx.insert(vms).values({
        id: clone.vmId,
        name: clone.name,
        envId: env.id,
        idx,
        orgId: env.orgId,
        hostId: source.hostId,
        image: source.image,
        imageDigest: source.imageDigest,
        engine: source.engine,
        cpu: machine.cpu,
        mem: machine.mem,
        disk: machine.disk,
        disks: machine.disks.map((d) => ({ ...d, used: null })),
        cdrom: machine.cdrom,
        ports: source.ports,
        denyOutgoing: source.denyOutgoing,
        networks,
        privateIp,
        state: 'creating',
        portMap: {},
        reserved: true,
        sent: true,
        createdAt: now,
        updatedAt: now,
      });
    },
  });
  return { operationId, cloneId: clone.vmId };
}
