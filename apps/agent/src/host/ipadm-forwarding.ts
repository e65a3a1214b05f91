import type { HostExec } from './exec.js';

/*
 * Forwarding per protocol through ipadm, as illumos-net.md says: `ipadm show-prop -p
 * forwarding -co current PROTO` reads what the kernel does (routeadm's `current=` reflects SMF,
 * not the kernel), `ipadm set-prop -p forwarding=on|off PROTO` changes it persistently.
 */

export type IpProto = 'ipv4' | 'ipv6';

export async function readForwarding(exec: HostExec, proto: IpProto): Promise<boolean> {
  const { stdout } = await exec.run('ipadm', [
    'show-prop',
    '-p',
    'forwarding',
    '-co',
    'current',
    proto,
  ]);
  return stdout.trim() === 'on';
}

export async function writeForwarding(exec: HostExec, proto: IpProto, on: boolean) {
  await exec.run('ipadm', ['set-prop', '-p', `forwarding=${on ? 'on' : 'off'}`, proto]);
}
