import { parseParsable } from './dladm.js';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, LinkName } from './names.js';

/*
 * The dladm reads and verbs the host links API needs beyond the VM saga's (dladm.ts): VNIC and
 * VLAN listings (one command each, whatever the number of links) and the non-idempotent
 * create/delete an operator asks for. Field names are dladm(8)'s; `-p` output is libofmt's
 * (`:` escaped in MACs when several fields are printed).
 */

const VNIC_FIELDS = ['link', 'over', 'macaddress', 'vid'] as const;
const VLAN_FIELDS = ['link', 'vid', 'over'] as const;

export async function showVnicDetails(exec: HostExec) {
  const { stdout } = await exec.run('dladm', ['show-vnic', '-p', '-o', VNIC_FIELDS.join(',')]);
  return parseParsable(stdout, VNIC_FIELDS);
}

export async function showVlans(exec: HostExec) {
  const { stdout } = await exec.run('dladm', ['show-vlan', '-p', '-o', VLAN_FIELDS.join(',')]);
  return parseParsable(stdout, VLAN_FIELDS);
}

const link = (name: string) => checkName(LinkName, name, 'link');

function vid(id: number): string {
  if (!Number.isInteger(id) || id < 1 || id > 4094) throw new TypeError(`bad VLAN id ${id}`);
  return String(id);
}

/** `dladm create-vnic -l OVER [-v VID] NAME`. */
export async function createHostVnic(exec: HostExec, name: string, over: string, vlan?: number) {
  const tag = vlan === undefined ? [] : ['-v', vid(vlan)];
  await exec.run('dladm', ['create-vnic', '-l', link(over), ...tag, link(name)]);
}

/** `dladm create-vlan -l LINK -v VID NAME` (dladm(8)). */
export async function createVlan(exec: HostExec, name: string, over: string, vlan: number) {
  await exec.run('dladm', ['create-vlan', '-l', link(over), '-v', vid(vlan), link(name)]);
}

export async function createHostEtherstub(exec: HostExec, name: string) {
  await exec.run('dladm', ['create-etherstub', link(name)]);
}

const DELETE_VERB: Record<string, string> = {
  vnic: 'delete-vnic',
  etherstub: 'delete-etherstub',
  vlan: 'delete-vlan',
  overlay: 'delete-overlay',
};

/** Delete a link with the verb of its class; throws for classes dladm cannot delete. */
export async function deleteLinkOfClass(exec: HostExec, name: string, linkClass: string) {
  const verb = DELETE_VERB[linkClass];
  if (!verb) throw new TypeError(`links of class ${linkClass} are not deleted`);
  await exec.run('dladm', [verb, link(name)]);
}

/** Delete an etherstub; false when there was none (an undo repeated after a crash). */
export async function deleteEtherstubIfPresent(exec: HostExec, name: string): Promise<boolean> {
  try {
    await exec.run('dladm', ['delete-etherstub', link(name)]);
    return true;
  } catch (error) {
    if (failedWith(error, 'invalid link name', 'object not found')) return false;
    throw error;
  }
}
