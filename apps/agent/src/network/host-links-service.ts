import { ApiError, type CreateLinkReq, type HostLink } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import { showLinks } from '../host/dladm.js';
import {
  createHostEtherstub,
  createHostVnic,
  createVlan,
  deleteLinkOfClass,
  showVlans,
  showVnicDetails,
} from '../host/dladm-links.js';
import type { HostExec } from '../host/exec.js';
import { showAddrs } from '../host/ipadm.js';
import type { Layout } from '../host/layout.js';
import { dladmRefusal } from './dladm-refusals.js';
import { isApiaryLink } from './link-ownership.js';
import { linkUsers } from './link-users.js';
import { listNetworkRows, vmOfVnic } from './network-store.js';

/*
 * The host's datalinks as administrators see and change them. A listing is four commands
 * whatever the number of links (show-link, show-vnic, show-vlan, and show-addr to know which
 * links carry IP interfaces). Apiary's links are never deleted here; a link something uses is
 * refused with the list of its users.
 */

export interface LinksContext {
  db: Db;
  exec: HostExec;
  log: Logger;
  layout: Layout;
}

export async function listHostLinks(ctx: LinksContext): Promise<HostLink[]> {
  const [links, vnics, vlans, addrs] = await Promise.all([
    showLinks(ctx.exec),
    showVnicDetails(ctx.exec),
    showVlans(ctx.exec),
    showAddrs(ctx.exec),
  ]);
  const vnicOf = new Map(vnics.map((v) => [v.link, v]));
  const vlanOf = new Map(vlans.map((v) => [v.link, v]));
  const vmOf = vmOfVnic(ctx.db, ctx.layout);
  const users = linkUsers({
    links,
    addresses: addrs.map((a) => a.addrobj),
    networks: listNetworkRows(ctx.db),
    vmOfVnic: vmOf,
  });
  return links.map((l) => {
    const vnic = vnicOf.get(l.link);
    const vid = Number(vnic?.vid ?? vlanOf.get(l.link)?.vid ?? 0);
    const mtu = Number(l.mtu);
    return {
      name: l.link,
      class: l.class,
      over: l.over.split(',').filter(Boolean),
      state: l.state || null,
      mtu: Number.isInteger(mtu) && l.mtu !== '' ? mtu : null,
      mac: vnic?.macaddress || null,
      vlan_id: vid > 0 ? vid : null,
      // A VM's zone is named after the VM.
      zone: vmOf.get(l.link) ?? null,
      owner: isApiaryLink(l.link) ? 'apiary' : 'host',
      used_by: users.get(l.link) ?? [],
    };
  });
}

async function findLink(ctx: LinksContext, name: string): Promise<HostLink> {
  const link = (await listHostLinks(ctx)).find((l) => l.name === name);
  if (!link) throw new ApiError('not_found', `no link named ${name}`);
  return link;
}

export async function createHostLink(ctx: LinksContext, req: CreateLinkReq): Promise<HostLink> {
  if (req.over && isApiaryLink(req.over))
    throw new ApiError('forbidden', `${req.over} is Apiary's; host links cannot go over it`);
  try {
    if (req.kind === 'etherstub') await createHostEtherstub(ctx.exec, req.name);
    else if (req.kind === 'vlan')
      await createVlan(ctx.exec, req.name, req.over as string, req.vlan_id as number);
    else await createHostVnic(ctx.exec, req.name, req.over as string, req.vlan_id);
  } catch (error) {
    throw dladmRefusal(error) ?? error;
  }
  ctx.log.info({ link: req.name, kind: req.kind, over: req.over }, 'host link created');
  return findLink(ctx, req.name);
}

export async function deleteHostLink(ctx: LinksContext, name: string): Promise<void> {
  if (isApiaryLink(name))
    throw new ApiError('forbidden', `${name} is Apiary's own link and cannot be deleted here`);
  const link = await findLink(ctx, name);
  if (link.used_by.length > 0)
    throw new ApiError('conflict', `${name} is in use by ${link.used_by.join(', ')}`, {
      details: link.used_by,
    });
  if (!['vnic', 'etherstub', 'vlan', 'overlay'].includes(link.class))
    throw new ApiError(
      'validation',
      `${name} is a ${link.class} link; only VNICs, etherstubs, VLANs and overlays are deleted`,
    );
  try {
    await deleteLinkOfClass(ctx.exec, name, link.class);
  } catch (error) {
    throw dladmRefusal(error) ?? error;
  }
  ctx.log.info({ link: name, class: link.class }, 'host link deleted');
}
