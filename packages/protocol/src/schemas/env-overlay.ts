import { z } from 'zod';
import { Ipv4Address, Ipv4Cidr, MacAddress } from './host-network.js';
import { EnvId } from './names.js';

/*
 * Environment private networks across hosts (issue 14): one VXLAN overlay device per
 * environment on every host that runs one of its VMs, its varpd `files` mapping naming, for
 * each VM, the MAC of its NIC on the overlay, its private address, and the underlay address
 * and UDP port of the host it runs on. The controller allocates the VNI and the addresses and
 * sends every involved host the whole mapping; the agent makes the device and writes the file.
 */

/** VXLAN network identifiers are 24 bits; 0 and 2^24-1 are kept out of use. */
export const Vni = z.int().min(1).max(16_777_214);

/** The agent's name for an environment's overlay network, as VMs list it in `networks`. */
export const ENV_NETWORK_PREFIX = 'env-';
export function envNetworkName(vni: number): string {
  return `${ENV_NETWORK_PREFIX}${vni}`;
}
export function isEnvNetworkName(name: string): boolean {
  return name.startsWith(ENV_NETWORK_PREFIX);
}

/** One VM's NIC on an overlay: where its MAC lives (varpd `files` entry). */
export const OverlayEntry = z.strictObject({
  mac: MacAddress,
  /** The VM's private address (answers proxied ARP for it). */
  ip: Ipv4Address,
  /** The underlay address of the host the VM runs on. */
  underlay_ip: Ipv4Address,
  underlay_port: z.int().min(1).max(65535),
});
export type OverlayEntry = z.infer<typeof OverlayEntry>;

/** `PUT /api/env-overlays/{env_id}`: make the overlay if missing, then set its whole mapping. */
export const PutEnvOverlayReq = z
  .strictObject({
    vni: Vni,
    subnet: Ipv4Cidr,
    entries: z.array(OverlayEntry).max(1024),
  })
  .refine((r) => new Set(r.entries.map((e) => e.mac)).size === r.entries.length, {
    message: 'lists a MAC address twice',
    path: ['entries'],
  });
export type PutEnvOverlayReq = z.infer<typeof PutEnvOverlayReq>;

export const EnvOverlayParams = z.strictObject({ env_id: EnvId });

/** An environment's overlay on one host. */
export const EnvOverlay = z.object({
  env_id: EnvId,
  vni: Vni,
  subnet: z.string(),
  /** The network name VMs of the environment list (`env-<vni>`). */
  network: z.string(),
  /** The overlay datalink. */
  link: z.string(),
  /** The varpd `files/config` JSON file on the host. */
  mapping_file: z.string(),
  /** This host's underlay address and port (what the other hosts' entries name for it). */
  underlay_ip: z.string(),
  underlay_port: z.int(),
  entries: z.array(OverlayEntry),
});
export type EnvOverlay = z.infer<typeof EnvOverlay>;

export const EnvOverlayList = z.object({ items: z.array(EnvOverlay) });

/** The NIC a VM gets on its environment's overlay: the controller chooses both. */
export const EnvNic = z.strictObject({ mac: MacAddress, ip: Ipv4Address });
export type EnvNic = z.infer<typeof EnvNic>;
