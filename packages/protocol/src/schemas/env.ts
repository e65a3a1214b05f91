import { z } from 'zod';
import { Timestamp } from './common.js';
import { FailureInfo } from './failure-codes.js';
import { EnvId } from './names.js';
import { Vm } from './vm.js';
import { OnFailure } from './vm-spec.js';

export const EnvState = z.enum([
  'creating',
  'active',
  /** Some VMs failed and the request asked to keep the rest (`on_failure: keep`). */
  'degraded',
  'stopping',
  'stopped',
  'starting',
  'deleting',
  'deleted',
  'failed',
]);
export type EnvState = z.infer<typeof EnvState>;

/**
 * An environment with its VMs (`GET /v1/envs/{id}`). `id` is the name its organization gave it:
 * unique within that organization, not across organizations (see `OrgScopeQuery`).
 */
export const Env = z.object({
  id: EnvId,
  owner: z.string().nullable(),
  org_id: z.string(),
  state: EnvState,
  ssh_keys: z.array(z.string()),
  lifetime: z.int(),
  on_failure: OnFailure,
  created_at: Timestamp,
  expires_at: Timestamp,
  updated_at: Timestamp,
  error: FailureInfo.nullable(),
  /** Its private network across hosts (`private_network: true`), else null (issue 14). */
  private_network: z.object({ vni: z.int(), subnet: z.string() }).nullable().optional(),
  vms: z.array(Vm),
});
export type Env = z.infer<typeof Env>;

export const EnvListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  state: EnvState.optional(),
  owner: z.string().max(64).optional(),
  /** Super-admins: only this organization's environments. */
  org: z.string().min(1).max(64).optional(),
});
export type EnvListQuery = z.infer<typeof EnvListQuery>;

/**
 * `?org=` on the routes that address an environment or a VM by name. Names are unique within an
 * organization; a caller addresses its own organization's. A super-admin (who belongs to no
 * organization) may name one; naming none finds the name in whichever organization has it, and
 * is refused with 409 when several do.
 */
export const OrgScopeQuery = z.strictObject({
  org: z.string().min(1).max(64).optional(),
});
export type OrgScopeQuery = z.infer<typeof OrgScopeQuery>;
