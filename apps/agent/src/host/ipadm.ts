import { parseParsable } from './dladm.js';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { AddrObjName, checkName } from './names.js';

const ADDR_FIELDS = ['addrobj', 'type', 'state', 'addr'] as const;

/** Parse `ipadm show-addr -p -o addrobj,type,state,addr` (libofmt, `\:` escaped in IPv6). */
export function parseShowAddr(stdout: string) {
  return parseParsable(stdout, ADDR_FIELDS);
}

export async function showAddrs(exec: HostExec) {
  const { stdout } = await exec.run('ipadm', ['show-addr', '-p', '-o', ADDR_FIELDS.join(',')]);
  return parseShowAddr(stdout);
}

/** `ipadm create-addr -T static -a CIDR IF/NAME`; false when the address object exists. */
export async function createStaticAddr(exec: HostExec, addrobj: string, cidr: string) {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) throw new TypeError(`bad CIDR ${cidr}`);
  try {
    await exec.run('ipadm', [
      'create-addr',
      '-T',
      'static',
      '-a',
      cidr,
      checkName(AddrObjName, addrobj, 'addrobj'),
    ]);
    return true;
  } catch (error) {
    if (failedWith(error, 'Address object already exists')) return false;
    throw error;
  }
}

export async function deleteAddr(exec: HostExec, addrobj: string) {
  try {
    await exec.run('ipadm', ['delete-addr', checkName(AddrObjName, addrobj, 'addrobj')]);
    return true;
  } catch (error) {
    if (failedWith(error, 'Object not found', 'Address object not found')) return false;
    throw error;
  }
}

/** Current IPv4 forwarding state (`ipadm show-prop -p forwarding -co current ipv4`). */
export async function getIpv4Forwarding(exec: HostExec): Promise<boolean> {
  const { stdout } = await exec.run('ipadm', [
    'show-prop',
    '-p',
    'forwarding',
    '-co',
    'current',
    'ipv4',
  ]);
  return stdout.trim() === 'on';
}

/** Turn IPv4 forwarding on, persistently (survives reboot through ipmgmtd). */
export async function enableIpv4Forwarding(exec: HostExec) {
  await exec.run('ipadm', ['set-prop', '-p', 'forwarding=on', 'ipv4']);
}
