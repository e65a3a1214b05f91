import {
  type AgentVm,
  type CreateVmReqInput,
  type EnvNic,
  envNetworkName,
  isEnvNetworkName,
} from '@apiary/protocol';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Tables, Tx } from '../../db/database.js';
import type { EnvRow, VmRow } from './env-view.js';

/*
 * An environment's private network across hosts (issue 14): a VXLAN id unique in the
 * installation, one subnet (the same for every environment: they never meet, the VNI keeps
 * them apart), an address per VM allocated without collision (the unique index on
 * (env_id, private_ip) makes sure), and the MAC of the VM's NIC on it derived from both.
 */

export const ENV_PRIVATE_SUBNET = '10.214.0.0/24';
/** VNIs below this are left to operators (VLAN-like numbering schemes start low). */
const VNI_MIN = 4096;
const VNI_MAX = 16_777_214;
/** .1-.9 are left out: a gateway or service address an environment may want later. */
const FIRST_HOST = 10;

const ipToInt = (ip: string) => ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** A VNI no environment holds, chosen at random so concurrent creates rarely meet. */
export async function allocateVni(t: Tables, tx: Pick<Tx, 'select'>): Promise<number> {
  for (;;) {
    const vni = VNI_MIN + Math.floor(Math.random() * (VNI_MAX - VNI_MIN + 1));
    const held = await tx.select({ id: t.envs.id }).from(t.envs).where(eq(t.envs.vni, vni));
    if (held.length === 0) return vni;
  }
}

/** `count` addresses of the subnet, lowest first, none of `taken`. */
export function allocatePrivateIps(subnet: string, count: number, taken: ReadonlySet<string>) {
  const [base, bits] = subnet.split('/') as [string, string];
  const first = ipToInt(base) + FIRST_HOST;
  const last = ipToInt(base) + 2 ** (32 - Number(bits)) - 2;
  const out: string[] = [];
  for (let n = first; n <= last && out.length < count; n++) {
    const ip = intToIp(n);
    if (!taken.has(ip)) out.push(ip);
  }
  if (out.length < count) throw new Error(`no ${count} free addresses left in ${subnet}`);
  return out;
}

/** The addresses the environment's VMs hold on its private network. */
export async function takenPrivateIps(t: Tables, tx: Pick<Tx, 'select'>, envId: string) {
  const rows = await tx
    .select({ ip: t.vms.privateIp })
    .from(t.vms)
    .where(and(eq(t.vms.envId, envId), isNotNull(t.vms.privateIp)));
  return new Set(rows.map((r) => r.ip as string));
}

/** Locally administered unicast (02:...), then the VNI, then the address's last two bytes. */
export function overlayMac(vni: number, ip: string): string {
  const n = ipToInt(ip);
  const bytes = [0x02, (vni >>> 16) & 255, (vni >>> 8) & 255, vni & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16)).join(':');
}

export function envNicOf(env: Pick<EnvRow, 'vni'>, vm: Pick<VmRow, 'privateIp'>): EnvNic | null {
  if (env.vni === null || vm.privateIp === null) return null;
  return { mac: overlayMac(env.vni, vm.privateIp), ip: vm.privateIp };
}

/** What `POST /api/vms` says about networks: the VM's own, plus its environment's overlay. */
export function vmNetworksOnAgent(
  env: Pick<EnvRow, 'vni'>,
  vm: Pick<VmRow, 'networks' | 'privateIp'>,
): Pick<CreateVmReqInput, 'networks' | 'env_nic'> {
  const own = vm.networks ?? ['nat'];
  const nic = envNicOf(env, vm);
  if (nic && env.vni !== null) return { networks: [...own, envNetworkName(env.vni)], env_nic: nic };
  // A plain nat VM says nothing, as before networks existed (older agents take it).
  return own.length === 1 && own[0] === 'nat' ? {} : { networks: own };
}

/** The agent's NICs as users see them: the environment's overlay is `private`. */
export function viewNics(nics: NonNullable<AgentVm['nics']>) {
  return nics.map((n) => ({
    network: isEnvNetworkName(n.network) ? 'private' : n.network,
    ip: n.ip,
  }));
}
