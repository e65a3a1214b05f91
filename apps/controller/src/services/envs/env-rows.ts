import type { Tables, Tx } from '../../db/database.js';
import { insertStatement, type StatementDb } from '../../db/prepared-statement.js';

/*
 * The rows a new environment is recorded with: its own and one per VM, written inside the
 * placement's transaction (create-env.ts). Prepared statements (prepared-statement.ts): they are
 * the writes of every placement, and the placement benchmark writes its baseline through them
 * too, so both measure the same rows written the same way.
 */

type NewEnv = Tables['envs']['$inferInsert'];
type NewVm = Tables['vms']['$inferInsert'];

/** Every column a create writes; the others keep their defaults. */
const ENV_COLUMNS = [
  'id',
  'name',
  'orgId',
  'owner',
  'createdBy',
  'state',
  'sshKeys',
  'lifetime',
  'onFailure',
  'createdAt',
  'expiresAt',
  'updatedAt',
  'vni',
  'privateSubnet',
] as const satisfies ReadonlyArray<keyof NewEnv>;

const VM_COLUMNS = [
  'id',
  'name',
  'envId',
  'idx',
  'orgId',
  'hostId',
  'image',
  'imageDigest',
  'bootIso',
  'engine',
  'cpu',
  'mem',
  'disk',
  'ports',
  'denyOutgoing',
  'loginUser',
  'recipe',
  'recipeVersion',
  'recipeState',
  'state',
  'portMap',
  'networks',
  'privateIp',
  'reserved',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof NewVm>;

export type EnvRowValues = Required<Pick<NewEnv, (typeof ENV_COLUMNS)[number]>>;
export type VmRowValues = Required<Pick<NewVm, (typeof VM_COLUMNS)[number]>>;

const insertEnv = insertStatement('env', (t) => t.envs, ENV_COLUMNS);
const insertVms = insertStatement('vms', (t) => t.vms, VM_COLUMNS);

/** Writes the environment's row and its VMs' in `tx`. */
export async function insertEnvRows(
  ctx: StatementDb,
  tx: Tx,
  env: EnvRowValues,
  vms: readonly VmRowValues[],
): Promise<void> {
  await insertEnv.run(ctx, [env], tx);
  await insertVms.run(ctx, vms, tx);
}
