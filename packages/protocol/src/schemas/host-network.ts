import { z } from 'zod';
import { LinkName } from './names.js';

/*
 * The host's networking as an agent shows it to administrators (`/api/host/...`) and the
 * networks VMs attach to (`/api/networks`). Every link Apiary makes is named `apiary...`: that
 * prefix is reserved, so what is Apiary's is read from the name alone.
 */

/** Dotted IPv4 address. */
/** A unicast MAC as dladm prints it (`2:8:20:c4:1f:9a`, no leading zeros). */
export const MacAddress = z
  .string()
  .regex(/^([0-9a-f]{1,2}:){5}[0-9a-f]{1,2}$/, 'must be a MAC address as dladm prints it');

export const Ipv4Address = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, 'must be an IPv4 address')
  .refine((s) => s.split('.').every((o) => Number(o) <= 255), 'must be an IPv4 address');

/** `a.b.c.d/len`, the network address itself (no host bits set), prefix 8 to 30. */
export const Ipv4Cidr = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be a CIDR like 192.168.12.0/24')
  .refine((s) => {
    const [addr, bits] = s.split('/') as [string, string];
    const prefix = Number(bits);
    if (prefix < 8 || prefix > 30 || !Ipv4Address.safeParse(addr).success) return false;
    const n = addr.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
    return (n & (2 ** (32 - prefix) - 1)) === 0;
  }, 'must be a network address with a prefix from 8 to 30 (e.g. 192.168.12.0/24)');

export const LinkOwner = z.enum(['apiary', 'host']);
export type LinkOwner = z.infer<typeof LinkOwner>;

export const HostLink = z.object({
  name: z.string(),
  /** phys, aggr, vnic, etherstub, vlan, overlay, ... */
  class: z.string(),
  /** The link(s) it is over: a VNIC's or VLAN's lower link, an aggregation's ports. */
  over: z.array(z.string()),
  state: z.string().nullable(),
  mtu: z.int().nullable(),
  mac: z.string().nullable(),
  vlan_id: z.int().nullable(),
  /** The zone whose VM uses this link (Apiary's VMs), else null. */
  zone: z.string().nullable(),
  owner: LinkOwner,
  /** Who would lose it: `vm:ID`, `network:NAME`, `link:NAME` (links over it), `address:OBJ`. */
  used_by: z.array(z.string()),
});
export type HostLink = z.infer<typeof HostLink>;

export const HostLinkList = z.object({ items: z.array(HostLink) });
export type HostLinkList = z.infer<typeof HostLinkList>;

/** A host-owned link to create; names starting with `apiary` are Apiary's and refused. */
export const CreateLinkReq = z
  .strictObject({
    kind: z.enum(['etherstub', 'vnic', 'vlan']),
    name: LinkName,
    /** vnic, vlan: the link it goes over. */
    over: LinkName.optional(),
    /** vlan (required), vnic (optional): the VLAN id, 1-4094. */
    vlan_id: z.int().min(1).max(4094).optional(),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.name.startsWith('apiary')) issue('name', 'names starting with apiary are reserved');
    if (r.kind === 'etherstub') {
      if (r.over !== undefined) issue('over', 'an etherstub is over nothing');
      if (r.vlan_id !== undefined) issue('vlan_id', 'an etherstub has no VLAN id');
    } else if (r.over === undefined) issue('over', `a ${r.kind} needs the link it goes over`);
    if (r.kind === 'vlan' && r.vlan_id === undefined) issue('vlan_id', 'a vlan needs its id');
  });
export type CreateLinkReq = z.infer<typeof CreateLinkReq>;

export const LinkParams = z.strictObject({ name: LinkName });

export const HostAddress = z.object({
  addrobj: z.string(),
  interface: z.string(),
  /** static, dhcp, addrconf, from-gz, ... */
  type: z.string(),
  state: z.string(),
  /** CIDR (`192.168.1.10/24`); null when there is none yet (a DHCP address being obtained). */
  address: z.string().nullable(),
  owner: LinkOwner,
});
export type HostAddress = z.infer<typeof HostAddress>;

export const HostAddressList = z.object({ items: z.array(HostAddress) });
export type HostAddressList = z.infer<typeof HostAddressList>;

export const Forwarding = z.object({ ipv4: z.boolean(), ipv6: z.boolean() });
export type Forwarding = z.infer<typeof Forwarding>;

export const SetForwardingReq = z
  .strictObject({ ipv4: z.boolean().optional(), ipv6: z.boolean().optional() })
  .refine((r) => r.ipv4 !== undefined || r.ipv6 !== undefined, {
    message: 'give ipv4, ipv6 or both',
  });
export type SetForwardingReq = z.infer<typeof SetForwardingReq>;

export const NatRule = z.object({
  /** As the kernel lists it (`ipnat -l`). */
  rule: z.string(),
  owner: LinkOwner,
});
export const NatTable = z.object({
  rules: z.array(NatRule),
  /** Active translation sessions. */
  sessions: z.int().min(0),
});
export type NatTable = z.infer<typeof NatTable>;

// Networks VMs attach to.

/** A network's name: lowercase, a letter first, at most 31 characters. */
export const NetworkName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be 1-31 lowercase letters, digits or dashes');
export type NetworkName = z.infer<typeof NetworkName>;

export const NetworkKind = z.enum(['nat', 'bridged', 'private']);
export type NetworkKind = z.infer<typeof NetworkKind>;

/** `192.168.12.100-192.168.12.200`. */
export const AddressRange = z
  .string()
  .regex(/^\d{1,3}(\.\d{1,3}){3}-\d{1,3}(\.\d{1,3}){3}$/, 'must be FIRST-LAST, two addresses');

export const CreateNetworkReq = z
  .strictObject({
    name: NetworkName,
    kind: z.enum(['bridged', 'private']),
    /** bridged: the physical link or aggregation VM VNICs go over. */
    link: LinkName.optional(),
    /** bridged: tag the VMs' traffic with this VLAN id. */
    vlan: z.int().min(1).max(4094).optional(),
    /** Static addressing: the subnet (no subnet on a bridged network: the LAN's DHCP). */
    subnet: Ipv4Cidr.optional(),
    gateway: Ipv4Address.optional(),
    dns: z.array(Ipv4Address).max(4).optional(),
    /** Addresses VMs get, inside the subnet (default: all of it but the gateway). */
    range: AddressRange.optional(),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (r.name === 'nat') issue('name', 'nat is the built-in network');
    if (r.kind === 'bridged' && r.link === undefined)
      issue('link', 'a bridged network needs the link its VMs go over');
    if (r.kind === 'private') {
      if (r.link !== undefined) issue('link', 'a private network has its own etherstub');
      if (r.vlan !== undefined) issue('vlan', 'a private network has no VLAN');
      if (r.subnet === undefined) issue('subnet', 'a private network needs a subnet');
      if (r.gateway !== undefined) issue('gateway', 'a private network has no way out');
    }
    if (r.subnet === undefined) {
      for (const k of ['gateway', 'dns', 'range'] as const)
        if (r[k] !== undefined) issue(k, 'only with a subnet (static addresses)');
    }
  });
export type CreateNetworkReq = z.infer<typeof CreateNetworkReq>;
export type CreateNetworkReqInput = z.input<typeof CreateNetworkReq>;

export const Network = z.object({
  name: z.string(),
  kind: NetworkKind,
  /** bridged: the link VM VNICs go over; private: its etherstub; nat: Apiary's etherstub. */
  link: z.string(),
  vlan: z.int().nullable(),
  /** `dhcp` (bridged without a subnet) or `static` (addresses from `range`). */
  addressing: z.enum(['dhcp', 'static']),
  subnet: z.string().nullable(),
  gateway: z.string().nullable(),
  dns: z.array(z.string()),
  range: z.string().nullable(),
  vm_count: z.int().min(0),
});
export type Network = z.infer<typeof Network>;

export const NetworkList = z.object({ items: z.array(Network) });
export type NetworkList = z.infer<typeof NetworkList>;
export const NetworkParams = z.strictObject({ name: NetworkName });

/** What the controller is told about a host's networks (placement filters on them). */
export const InventoryNetwork = z.object({ name: z.string(), kind: NetworkKind });
export type InventoryNetwork = z.infer<typeof InventoryNetwork>;

/**
 * The networks a VM joins, first = primary (the one its port forwards use when it is `nat`).
 * Absent means `["nat"]`.
 */
export const VmNetworks = z
  .array(NetworkName)
  .min(1)
  .max(8)
  .refine((n) => new Set(n).size === n.length, 'lists a network twice');

/** One of a VM's NICs as its agent reports it. */
export const VmNic = z.object({
  network: z.string(),
  /** The VNIC on the host (`net physical` of the zone). */
  vnic: z.string(),
  /** Static address (CIDR-less); null when the network gives it by DHCP. */
  ip: z.string().nullable(),
});
export type VmNic = z.infer<typeof VmNic>;
