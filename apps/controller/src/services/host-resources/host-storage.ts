import type {
  AddSwapReq,
  CreateDatasetReq,
  DatasetQuery,
  StorageDataset,
  StorageDatasetList,
  StoragePoolList,
  SwapDevice,
  SwapList,
  UpdateDatasetReq,
} from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { callHostAgent } from '../hosts/host-agent-call.js';

/*
 * A host's pools, datasets and swap (issue 14), from its agent. The agent keeps Apiary's own
 * datasets read-only and counts what is made here in the host's capacity (the next inventory
 * brings it to placement); the controller adds who may, and the host's name to failures.
 */

const read = (action: string) => ({ action, change: false });
const change = (action: string) => ({ action, change: true });

export async function listHostPools(ctx: Ctx, p: Principal, id: string): Promise<StoragePoolList> {
  return (
    await callHostAgent(ctx, p, id, read('listing the pools of a host'), (agent, o) =>
      agent.listPools(undefined, o),
    )
  ).result;
}

export async function listHostDatasets(
  ctx: Ctx,
  p: Principal,
  id: string,
  query: DatasetQuery,
): Promise<StorageDatasetList> {
  return (
    await callHostAgent(ctx, p, id, read('listing the datasets of a host'), (agent, o) =>
      agent.listDatasets({ query }, o),
    )
  ).result;
}

export async function createHostDataset(
  ctx: Ctx,
  p: Principal,
  id: string,
  body: CreateDatasetReq,
): Promise<StorageDataset> {
  return (
    await callHostAgent(ctx, p, id, change('creating a dataset on a host'), (agent, o) =>
      agent.createDataset({ body }, o),
    )
  ).result;
}

export async function updateHostDataset(
  ctx: Ctx,
  p: Principal,
  id: string,
  name: string,
  body: UpdateDatasetReq,
): Promise<StorageDataset> {
  return (
    await callHostAgent(ctx, p, id, change('changing a dataset of a host'), (agent, o) =>
      agent.updateDataset({ params: { name }, body }, o),
    )
  ).result;
}

export async function deleteHostDataset(
  ctx: Ctx,
  p: Principal,
  id: string,
  name: string,
  recursive: boolean,
) {
  return (
    await callHostAgent(ctx, p, id, change('destroying a dataset of a host'), (agent, o) =>
      agent.deleteDataset(
        { params: { name }, query: { recursive: String(recursive) as 'true' | 'false' } },
        o,
      ),
    )
  ).result;
}

export async function listHostSwap(ctx: Ctx, p: Principal, id: string): Promise<SwapList> {
  return (
    await callHostAgent(ctx, p, id, read('listing the swap of a host'), (agent, o) =>
      agent.listSwap(undefined, o),
    )
  ).result;
}

export async function addHostSwap(
  ctx: Ctx,
  p: Principal,
  id: string,
  body: AddSwapReq,
): Promise<SwapDevice> {
  return (
    await callHostAgent(ctx, p, id, change('adding swap to a host'), (agent, o) =>
      agent.addSwap({ body }, o),
    )
  ).result;
}

export async function removeHostSwap(
  ctx: Ctx,
  p: Principal,
  id: string,
  name: string,
  destroy: boolean,
) {
  return (
    await callHostAgent(ctx, p, id, change('removing swap from a host'), (agent, o) =>
      agent.removeSwap(
        { params: { name }, query: { destroy: String(destroy) as 'true' | 'false' } },
        o,
      ),
    )
  ).result;
}
