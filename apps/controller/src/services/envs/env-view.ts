import { ApiError, type Env, type Vm } from '@apiary/protocol';
import { eq, getTableColumns, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { envs, vms } from '../../db/pg-schema.js';
import { param, statement } from '../../db/prepared-statement.js';
import { iso } from '../../lib/clock.js';
import { runningChangeOf } from '../vm-changes/accept-change.js';
import { envNameOfVm } from './env-names.js';
import { readVmsJson, vmsOfEnvJson } from './env-vms-json.js';

export type EnvRow = typeof envs.$inferSelect;
export type VmRow = typeof vms.$inferSelect;

interface HostFacts {
  liveness: string;
  publicAddr: string;
}

/**
 * A VM as users see it: by its names (the internal id, its zone name, stays inside). On a host
 * that is down it is `unknown`: unobserved, not gone.
 */
export function toVmView(v: VmRow, host: HostFacts | undefined): Vm {
  const unobserved = host?.liveness === 'down' && v.state !== 'deleted' && v.state !== 'pending';
  return {
    id: v.name,
    env_id: envNameOfVm(v.name),
    host_id: v.hostId,
    host_addr: host?.publicAddr ?? null,
    image: v.image,
    image_digest: v.imageDigest as Vm['image_digest'],
    boot_iso: v.bootIso,
    engine: v.engine as Vm['engine'],
    cpu: v.cpu,
    mem: v.mem,
    disk: v.disk,
    ports: v.ports,
    deny_outgoing: v.denyOutgoing,
    state: (unobserved ? 'unknown' : v.state) as Vm['state'],
    ip: v.ip,
    port_map: v.portMap,
    error: v.errorCode ? { code: v.errorCode, msg: v.errorMsg ?? '' } : null,
    generation: v.generation,
    // What the host last reported of its machine (issue 13); absent until an agent said.
    ...(v.disks ? { disks: v.disks } : {}),
    ...(v.disks || v.cdrom ? { cdrom: v.cdrom as Vm['cdrom'] } : {}),
    ...(v.disks ? { pending_changes: (v.pendingChanges ?? null) as Vm['pending_changes'] } : {}),
    nics: nicsOf(v),
    ...(v.recipe && v.recipeVersion
      ? {
          recipe_run: {
            recipe: v.recipe,
            version: v.recipeVersion,
            state: (v.recipeState ?? 'pending') as 'pending' | 'succeeded' | 'failed',
            transcript: v.recipeTranscript,
          },
        }
      : {}),
    created_at: iso(v.createdAt),
    updated_at: iso(v.updatedAt),
  };
}

/**
 * A VM's addresses per network (issue 14): what its host last reported; before any report, the
 * networks it asked for, with the private address the controller gave it (the others unknown).
 */
function nicsOf(v: VmRow): NonNullable<Vm['nics']> {
  if (v.nics) return v.nics;
  const asked = (v.networks ?? ['nat']).map((network) => ({
    network,
    ip: network === 'nat' ? v.ip : null,
  }));
  return v.privateIp ? [...asked, { network: 'private', ip: v.privateIp }] : asked;
}

async function hostFacts(ctx: Ctx, vmRows: VmRow[]): Promise<Map<string, HostFacts>> {
  const { hosts } = ctx.t;
  const ids = [...new Set(vmRows.map((v) => v.hostId).filter((h): h is string => h !== null))];
  const out = new Map<string, HostFacts>();
  if (ids.length === 0) return out;
  for (const h of await ctx.db
    .select({ id: hosts.id, liveness: hosts.liveness, publicAddr: hosts.publicAddr })
    .from(hosts)
    .where(inArray(hosts.id, ids))) {
    out.set(h.id, { liveness: ctx.liveness.state(h.id) ?? h.liveness, publicAddr: h.publicAddr });
  }
  return out;
}

/** What an environment view is built from: its row, and its VMs as `vmsOfEnvJson` selects them. */
export type EnvRowWithVms = EnvRow & { vms: unknown };

/**
 * The columns to select for environment views: the environment's, and its VMs with their
 * hosts' facts in one JSON value (env-vms-json.ts), so that a page is one statement.
 */
export function envViewColumns(ctx: Ctx) {
  return { ...getTableColumns(ctx.t.envs), vms: vmsOfEnvJson(ctx) };
}

/**
 * Environment views with their VMs. The VMs are put in order here, per environment: an
 * `ORDER BY` made the database sort every whole VM row of the page (a temporary B-tree on
 * SQLite).
 */
export function toEnvViews(ctx: Ctx, rows: EnvRowWithVms[]): Env[] {
  return rows.map((e) => ({
    id: e.name,
    owner: e.owner,
    org_id: e.orgId,
    state: e.state,
    ssh_keys: e.sshKeys,
    lifetime: e.lifetime,
    on_failure: e.onFailure,
    created_at: iso(e.createdAt),
    expires_at: iso(e.expiresAt),
    updated_at: iso(e.updatedAt),
    error: e.errorCode ? { code: e.errorCode, msg: e.errorMsg ?? '' } : null,
    private_network:
      e.vni !== null && e.privateSubnet !== null ? { vni: e.vni, subnet: e.privateSubnet } : null,
    vms: readVmsJson(ctx, e.vms)
      .sort((a, b) => a.vm.idx - b.vm.idx)
      .map(({ vm, liveness, publicAddr }) =>
        toVmView(
          vm,
          vm.hostId !== null && liveness !== null && publicAddr !== null
            ? { liveness: ctx.liveness.state(vm.hostId) ?? liveness, publicAddr }
            : undefined,
        ),
      ),
  }));
}

/** The environment with internal id `id` (callers addressed by name use `findEnv`). */
export async function getEnvRow(ctx: Ctx, id: string): Promise<EnvRow | undefined> {
  return (await envById.run(ctx, { id }))[0];
}

/* Read at every saga step and request about an environment: prepared once. */
const envById = statement('env_by_id', (db, { envs }) =>
  db
    .select()
    .from(envs)
    .where(eq(envs.id, param('id'))),
);

/** The view of the environment with internal id `id`. */
export async function envView(ctx: Ctx, id: string): Promise<Env> {
  const { envs } = ctx.t;
  const rows = await ctx.db.select(envViewColumns(ctx)).from(envs).where(eq(envs.id, id));
  if (rows.length === 0) throw new ApiError('not_found', 'environment not found');
  return toEnvViews(ctx, rows)[0] as Env;
}

/** The view of the VM with internal id `id`. */
export async function vmView(ctx: Ctx, id: string): Promise<Vm> {
  const { vms } = ctx.t;
  const row = (await ctx.db.select().from(vms).where(eq(vms.id, id)))[0];
  if (!row) throw new ApiError('not_found', 'VM not found');
  const view = toVmView(row, (await hostFacts(ctx, [row])).get(row.hostId ?? ''));
  return { ...view, operation_id: await runningChangeOf(ctx, row.id) };
}
