import type { CreateNetworkReq, Network, NetworkList } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { callHostAgent } from '../hosts/host-agent-call.js';
import type { HostRow } from '../hosts/host-view.js';

/*
 * Networks VMs join, on one host (issue 14). Placement reads which host offers which network
 * from the host's inventory: after a create or delete the host's inventory is refreshed at
 * once (a registered agent sends it with its next heartbeat, which it brings forward itself;
 * a host added by address is polled now), and dashboards are told.
 */

/** Asks for the host's inventory now rather than at the next poll. */
export type RefreshInventory = (host: HostRow) => void;

export async function listHostNetworks(ctx: Ctx, p: Principal, id: string): Promise<NetworkList> {
  const action = { action: 'listing the networks of a host', change: false };
  return (await callHostAgent(ctx, p, id, action, (agent, o) => agent.listNetworks(undefined, o)))
    .result;
}

export async function createHostNetwork(
  ctx: Ctx,
  p: Principal,
  id: string,
  body: CreateNetworkReq,
  refresh: RefreshInventory,
): Promise<Network> {
  const action = { action: 'creating a network on a host', change: true };
  const { result, host } = await callHostAgent(ctx, p, id, action, (agent, o) =>
    agent.createNetwork({ body }, o),
  );
  networksChanged(ctx, host, refresh, { created: result.name });
  return result;
}

export async function deleteHostNetwork(
  ctx: Ctx,
  p: Principal,
  id: string,
  name: string,
  refresh: RefreshInventory,
) {
  const action = { action: 'deleting a network of a host', change: true };
  const { result, host } = await callHostAgent(ctx, p, id, action, (agent, o) =>
    agent.deleteNetwork({ params: { name } }, o),
  );
  networksChanged(ctx, host, refresh, { deleted: name });
  return result;
}

function networksChanged(
  ctx: Ctx,
  host: HostRow,
  refresh: RefreshInventory,
  change: { created: string } | { deleted: string },
) {
  ctx.events.publish({
    type: 'host.networks',
    orgId: host.orgId,
    data: { id: host.id, ...change },
  });
  refresh(host);
}
