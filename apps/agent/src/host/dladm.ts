import { MacAddress } from '@apiary/protocol';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, LinkName } from './names.js';
import { splitEscaped } from './split-escaped.js';

/**
 * Parse libofmt parsable output (`-p -o f1,f2,...`). With several fields, `:` and `\` inside a
 * value are escaped; a single field is printed raw, so it must not be un-escaped.
 */
export function parseParsable<F extends string>(stdout: string, fields: readonly F[]) {
  const rows: Array<Record<F, string>> = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const values = fields.length === 1 ? [line] : splitEscaped(line);
    if (values.length !== fields.length) {
      throw new Error(`expected ${fields.length} fields in ${JSON.stringify(line)}`);
    }
    rows.push(Object.fromEntries(fields.map((f, i) => [f, values[i]])) as Record<F, string>);
  }
  return rows;
}

const LINK_FIELDS = ['link', 'class', 'mtu', 'state', 'over'] as const;

export async function showLinks(exec: HostExec) {
  const { stdout } = await exec.run('dladm', ['show-link', '-p', '-o', LINK_FIELDS.join(',')]);
  return parseParsable(stdout, LINK_FIELDS);
}

const link = (name: string) => checkName(LinkName, name, 'link');

/**
 * Create a VNIC over `over`, tagged with VLAN id `vlan` and with the MAC address `mac` when
 * given (a VM moved from another host keeps its address); false when a link of that name
 * already exists.
 */
export async function createVnic(
  exec: HostExec,
  name: string,
  over: string,
  options: { vlan?: number | null; mac?: string | null } = {},
): Promise<boolean> {
  const { vlan = null, mac = null } = options;
  if (vlan !== null && (!Number.isInteger(vlan) || vlan < 1 || vlan > 4094))
    throw new TypeError(`bad VLAN id ${vlan}`);
  const tag = vlan === null ? [] : ['-v', String(vlan)];
  const macArgs = mac ? ['-m', checkName(MacAddress, mac, 'MAC address')] : [];
  try {
    await exec.run('dladm', ['create-vnic', '-l', link(over), ...tag, ...macArgs, link(name)]);
    return true;
  } catch (error) {
    if (failedWith(error, 'object already exists')) return false;
    throw error;
  }
}

/** Delete a VNIC; false when it did not exist. */
export async function deleteVnic(exec: HostExec, name: string): Promise<boolean> {
  try {
    await exec.run('dladm', ['delete-vnic', link(name)]);
    return true;
  } catch (error) {
    if (failedWith(error, 'invalid link name', 'object not found')) return false;
    throw error;
  }
}

export async function createEtherstub(exec: HostExec, name: string): Promise<boolean> {
  try {
    await exec.run('dladm', ['create-etherstub', link(name)]);
    return true;
  } catch (error) {
    if (failedWith(error, 'object already exists')) return false;
    throw error;
  }
}

/** The MAC address of a VNIC as dladm prints it (`2:8:20:c4:1f:9a`), or null when it is gone. */
export async function vnicMac(exec: HostExec, name: string): Promise<string | null> {
  try {
    const { stdout } = await exec.run('dladm', ['show-vnic', '-p', '-o', 'macaddress', link(name)]);
    return stdout.trim() || null;
  } catch (error) {
    if (failedWith(error, 'object not found', 'invalid link name')) return null;
    throw error;
  }
}
