import type {
  CreateLinkReq,
  Forwarding,
  HostAddressList,
  HostLink,
  HostLinkList,
  NatTable,
  SetForwardingReq,
} from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { callHostAgent, type HostCall } from '../hosts/host-agent-call.js';

/** `vm:ID` in a link's `used_by`: who would lose it. */
const VM_USER = /^vm:(.+)$/;

/**
 * A link as users know it: the VM using it by name (agents say `zone` and `vm:ID` with the
 * internal id, which never reaches an answer).
 */
async function inUserTerms(links: HostLink[], vmNames: HostCall['vmNames']): Promise<HostLink[]> {
  const ids = new Set<string>();
  for (const l of links) {
    if (l.zone) ids.add(l.zone);
    for (const u of l.used_by) {
      const m = VM_USER.exec(u);
      if (m?.[1]) ids.add(m[1]);
    }
  }
  if (ids.size === 0) return links;
  const names = await vmNames([...ids]);
  return links.map((l) => ({
    ...l,
    zone: l.zone ? (names.get(l.zone) ?? l.zone) : null,
    used_by: l.used_by.map((u) => {
      const id = VM_USER.exec(u)?.[1];
      const name = id ? names.get(id) : undefined;
      return name ? `vm:${name}` : u;
    }),
  }));
}

export async function listHostLinks(ctx: Ctx, p: Principal, id: string): Promise<HostLinkList> {
  const { result, vmNames } = await callHostAgent(
    ctx,
    p,
    id,
    { action: 'listing the links of a host', change: false },
    (agent, o) => agent.listLinks(undefined, o),
  );
  return { items: await inUserTerms(result.items, vmNames) };
}

export async function createHostLink(
  ctx: Ctx,
  p: Principal,
  id: string,
  body: CreateLinkReq,
): Promise<HostLink> {
  const { result, vmNames } = await callHostAgent(
    ctx,
    p,
    id,
    { action: 'creating a link on a host', change: true },
    (agent, o) => agent.createLink({ body }, o),
  );
  return (await inUserTerms([result], vmNames))[0] as HostLink;
}

export async function deleteHostLink(ctx: Ctx, p: Principal, id: string, name: string) {
  const { result } = await callHostAgent(
    ctx,
    p,
    id,
    { action: 'deleting a link of a host', change: true },
    (agent, o) => agent.deleteLink({ params: { name } }, o),
  );
  return result;
}

export async function listHostAddresses(
  ctx: Ctx,
  p: Principal,
  id: string,
): Promise<HostAddressList> {
  const action = { action: 'listing the addresses of a host', change: false };
  return (await callHostAgent(ctx, p, id, action, (agent, o) => agent.listAddresses(undefined, o)))
    .result;
}

export async function getHostForwarding(ctx: Ctx, p: Principal, id: string): Promise<Forwarding> {
  const action = { action: 'reading the forwarding of a host', change: false };
  return (await callHostAgent(ctx, p, id, action, (agent, o) => agent.getForwarding(undefined, o)))
    .result;
}

export async function setHostForwarding(
  ctx: Ctx,
  p: Principal,
  id: string,
  body: SetForwardingReq,
): Promise<Forwarding> {
  const action = { action: 'changing the forwarding of a host', change: true };
  return (await callHostAgent(ctx, p, id, action, (agent, o) => agent.setForwarding({ body }, o)))
    .result;
}

export async function getHostNat(ctx: Ctx, p: Principal, id: string): Promise<NatTable> {
  const action = { action: 'reading the NAT rules of a host', change: false };
  return (await callHostAgent(ctx, p, id, action, (agent, o) => agent.getNat(undefined, o))).result;
}
