import { randomBytes } from 'node:crypto';

/*
 * How environment and VM identities are made. Users name environments (`shared`), and the name
 * is unique only within their organization; every environment also gets an internal id that is
 * unique across the controller, from which its VMs' ids, their zone names on the hosts, derive.
 *
 *   env name  shared             (user's, per organization)
 *   env id    shared-k3j4m5n6    (internal: name prefix + 40 random bits)
 *   VM name   shared-0           (user's, per organization)
 *   VM id     shared-k3j4m5n6-0  (internal: the zone name, and the guest's hostname)
 *
 * The name prefix only keeps zones readable for operators on the host. An env id is at most
 * 30 + 1 + 8 = 39 characters and a VM id at most 42 (64 VMs per environment), inside the
 * protocol's EnvId (40) and VmId (48) grammars and far inside illumos' ZONENAME_MAX (64).
 */

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const NAME_PREFIX_MAX = 30;

function randomTag(length: number): string {
  let out = '';
  for (const b of randomBytes(length)) out += BASE32[b & 31];
  return out;
}

/** A fresh internal id for an environment named `name` (the caller checks it is unused). */
export function newEnvId(name: string): string {
  const prefix = name.slice(0, NAME_PREFIX_MAX).replace(/-+$/, '');
  return `${prefix}-${randomTag(8)}`;
}

/** Internal id (and zone name) of VM `idx` of the environment with internal id `envId`. */
export function vmIdOf(envId: string, idx: number): string {
  return `${envId}-${idx}`;
}

/** The name users address VM `idx` of environment `envName` by. */
export function vmNameOf(envName: string, idx: number): string {
  return `${envName}-${idx}`;
}

/**
 * The environment name inside a VM name. Unambiguous: the index is digits only, and every VM
 * name (new, or migrated from when ids were names) was made by `vmNameOf`.
 */
export function envNameOfVm(vmName: string): string {
  return vmName.replace(/-\d+$/, '');
}
