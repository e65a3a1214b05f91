import { z } from 'zod';
import { Ok } from '../schemas/common.js';
import {
  CreateLinkReq,
  CreateNetworkReq,
  Forwarding,
  HostAddressList,
  HostLink,
  HostLinkList,
  LinkParams,
  NatTable,
  Network,
  NetworkList,
  NetworkParams,
  SetForwardingReq,
} from '../schemas/host-network.js';
import {
  AddSwapReq,
  CreateDatasetReq,
  DatasetParams,
  DatasetQuery,
  DeleteDatasetQuery,
  RemoveSwapQuery,
  StorageDataset,
  StorageDatasetList,
  StoragePoolList,
  SwapDevice,
  SwapList,
  UpdateDatasetReq,
} from '../schemas/host-storage.js';
import { defineRoute } from './define-route.js';

/*
 * A host's links, networks and storage through the controller (issue 14): each route mirrors
 * one agent route (`hostNetworkRoutes`, `hostStorageRoutes`) under `/v1/hosts/{id}/...`, with
 * the agent's own body, query and response schemas. Super-admins and the org admins of the
 * host's organization only; another organization's host is 404, as if it did not exist.
 */

const HostId = z.string().min(1).max(64);
const ByHost = z.strictObject({ id: HostId });
const HostLinkParams = z.strictObject({ id: HostId, ...LinkParams.shape });
const HostNetworkParams = z.strictObject({ id: HostId, ...NetworkParams.shape });
/** The dataset (or swap volume) name URL-encoded in the path: `rpool%2Fdata`. */
const HostDatasetParams = z.strictObject({ id: HostId, ...DatasetParams.shape });

const read = { tag: 'hosts', auth: 'user', scope: 'hosts:read', status: 200 } as const;
const change = { tag: 'hosts', auth: 'user', scope: 'hosts:admin' } as const;

export const hostResourceRoutes = {
  listHostLinks: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/links',
    summary: "The host's datalinks: class, over, state, MTU, MAC, VLAN id, users (org admins)",
    params: ByHost,
    response: HostLinkList,
  }),
  createHostLink: defineRoute({
    ...change,
    method: 'POST',
    path: '/v1/hosts/:id/links',
    status: 201,
    summary: 'Create a host-owned etherstub, VNIC or VLAN on the host',
    params: ByHost,
    body: CreateLinkReq,
    response: HostLink,
  }),
  deleteHostLink: defineRoute({
    ...change,
    method: 'DELETE',
    path: '/v1/hosts/:id/links/:name',
    status: 200,
    summary: 'Delete a host-owned link (refused for Apiary’s links and links in use)',
    params: HostLinkParams,
    response: Ok,
  }),
  listHostAddresses: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/addresses',
    summary: "The host's IP addresses (global zone), Apiary's marked",
    params: ByHost,
    response: HostAddressList,
  }),
  getHostForwarding: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/forwarding',
    summary: 'IPv4 and IPv6 forwarding on the host',
    params: ByHost,
    response: Forwarding,
  }),
  setHostForwarding: defineRoute({
    ...change,
    method: 'PUT',
    path: '/v1/hosts/:id/forwarding',
    status: 200,
    summary: 'Turn forwarding on or off on the host (IPv4 stays on: the nat network needs it)',
    params: ByHost,
    body: SetForwardingReq,
    response: Forwarding,
  }),
  getHostNat: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/nat',
    summary: "The host's active NAT rules, Apiary's marked",
    params: ByHost,
    response: NatTable,
  }),
  listHostNetworks: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/networks',
    summary: 'Networks VMs can join on the host (nat is always there)',
    params: ByHost,
    response: NetworkList,
  }),
  createHostNetwork: defineRoute({
    ...change,
    method: 'POST',
    path: '/v1/hosts/:id/networks',
    status: 201,
    summary: 'Create a bridged (over a link, optional VLAN) or private network on the host',
    params: ByHost,
    body: CreateNetworkReq,
    response: Network,
  }),
  deleteHostNetwork: defineRoute({
    ...change,
    method: 'DELETE',
    path: '/v1/hosts/:id/networks/:name',
    status: 200,
    summary: 'Delete a network of the host (refused while VMs are on it; not nat)',
    params: HostNetworkParams,
    response: Ok,
  }),
  listHostPools: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/storage/pools',
    summary: "The host's pools: size, allocation, fragmentation, health, vdev layout",
    params: ByHost,
    response: StoragePoolList,
  }),
  listHostDatasets: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/storage/datasets',
    summary: "The host's datasets (of one pool with ?pool=), each with who owns it",
    params: ByHost,
    query: DatasetQuery,
    response: StorageDatasetList,
  }),
  createHostDataset: defineRoute({
    ...change,
    method: 'POST',
    path: '/v1/hosts/:id/storage/datasets',
    status: 201,
    summary: 'Create a file system or a volume on the host (its space counts in its capacity)',
    params: ByHost,
    body: CreateDatasetReq,
    response: StorageDataset,
  }),
  updateHostDataset: defineRoute({
    ...change,
    method: 'PATCH',
    path: '/v1/hosts/:id/storage/datasets/:name',
    status: 200,
    summary: 'Change quota, reservation, compression or atime of a dataset (not Apiary’s)',
    params: HostDatasetParams,
    body: UpdateDatasetReq,
    response: StorageDataset,
  }),
  deleteHostDataset: defineRoute({
    ...change,
    method: 'DELETE',
    path: '/v1/hosts/:id/storage/datasets/:name',
    status: 200,
    summary: 'Destroy a dataset of the host (?recursive=true: with children); not Apiary’s',
    params: HostDatasetParams,
    query: DeleteDatasetQuery,
    response: Ok,
  }),
  listHostSwap: defineRoute({
    ...read,
    method: 'GET',
    path: '/v1/hosts/:id/storage/swap',
    summary: "The host's swap devices",
    params: ByHost,
    response: SwapList,
  }),
  addHostSwap: defineRoute({
    ...change,
    method: 'POST',
    path: '/v1/hosts/:id/storage/swap',
    status: 201,
    summary: 'Swap on a volume of the host, creating it first when a size is given',
    params: ByHost,
    body: AddSwapReq,
    response: SwapDevice,
  }),
  removeHostSwap: defineRoute({
    ...change,
    method: 'DELETE',
    path: '/v1/hosts/:id/storage/swap/:name',
    status: 200,
    summary: 'Stop swapping on a volume of the host (?destroy=true: and destroy it)',
    params: HostDatasetParams,
    query: RemoveSwapQuery,
    response: Ok,
  }),
} as const;
