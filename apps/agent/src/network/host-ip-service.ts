import {
  ApiError,
  type Forwarding,
  type HostAddress,
  type NatTable,
  type SetForwardingReq,
} from '@apiary/protocol';
import { showAddrs } from '../host/ipadm.js';
import { readForwarding, writeForwarding } from '../host/ipadm-forwarding.js';
import { parseNatList } from '../host/ipnat.js';
import type { LinksContext } from './host-links-service.js';
import { isApiaryLink } from './link-ownership.js';
import { isApiaryNatRule } from './nat-ownership.js';

/* The global zone's addresses, forwarding and NAT table, for administrators. */

export async function listHostAddresses(ctx: LinksContext): Promise<HostAddress[]> {
  return (await showAddrs(ctx.exec)).map((a) => {
    const iface = a.addrobj.split('/')[0] as string;
    return {
      addrobj: a.addrobj,
      interface: iface,
      type: a.type,
      state: a.state,
      address: a.addr && a.addr !== '?' ? a.addr : null,
      owner: isApiaryLink(iface) ? 'apiary' : 'host',
    };
  });
}

export async function getForwarding(ctx: LinksContext): Promise<Forwarding> {
  const [ipv4, ipv6] = await Promise.all([
    readForwarding(ctx.exec, 'ipv4'),
    readForwarding(ctx.exec, 'ipv6'),
  ]);
  return { ipv4, ipv6 };
}

export async function setForwarding(ctx: LinksContext, req: SetForwardingReq): Promise<Forwarding> {
  if (req.ipv4 === false) {
    throw new ApiError(
      'conflict',
      "IPv4 forwarding stays on: the nat network routes its VMs' traffic through this host",
    );
  }
  if (req.ipv4 !== undefined) await writeForwarding(ctx.exec, 'ipv4', req.ipv4);
  if (req.ipv6 !== undefined) await writeForwarding(ctx.exec, 'ipv6', req.ipv6);
  ctx.log.info({ forwarding: req }, 'forwarding changed');
  return getForwarding(ctx);
}

export async function getNatTable(ctx: LinksContext): Promise<NatTable> {
  const { stdout } = await ctx.exec.run('ipnat', ['-l']);
  const { rules, sessions } = parseNatList(stdout);
  return {
    rules: rules.map((rule) => ({
      rule,
      owner: isApiaryNatRule(ctx.layout, rule) ? 'apiary' : 'host',
    })),
    sessions,
  };
}
