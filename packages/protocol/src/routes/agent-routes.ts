import { z } from 'zod';
import {
  AgentApiKey,
  AgentImage,
  AgentInfo,
  AgentVm,
  BootstrapAgentKeyReq,
  CreateAgentApiKeyReq,
  CreatedAgentApiKey,
  CreateVmReq,
  Operation,
  PullImageReq,
  UploadImageQuery,
} from '../schemas/agent.js';
import { listOf, Ok, Pagination } from '../schemas/common.js';
import { HostVmListing } from '../schemas/host-vms.js';
import { ImageDigest, VmId } from '../schemas/names.js';
import { Health } from '../schemas/status.js';
import { defineRoute } from './define-route.js';

const VmById = z.strictObject({ id: VmId });
const OpById = z.strictObject({ id: z.string().min(1).max(64) });
const ByDigest = z.strictObject({ digest: ImageDigest });

/** Accepted create: the VM as it stands and the operation making it real. */
export const VmOperationResp = z.object({ vm: AgentVm, operation: Operation });
export type VmOperationResp = z.infer<typeof VmOperationResp>;

/** The host agent API, under `/api` (seed 003 agent endpoints plus operations and keys). */
export const agentRoutes = {
  info: defineRoute({
    method: 'GET',
    path: '/api/info',
    tag: 'host',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'Host info and resources',
    response: AgentInfo,
  }),
  health: defineRoute({
    method: 'GET',
    path: '/api/health',
    tag: 'host',
    auth: 'public',
    status: 200,
    summary: 'Health check',
    response: Health,
  }),
  listVms: defineRoute({
    method: 'GET',
    path: '/api/vms',
    tag: 'vms',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'List VMs (one host command, whatever the number of VMs)',
    query: Pagination,
    response: listOf(AgentVm),
  }),
  createVm: defineRoute({
    method: 'POST',
    path: '/api/vms',
    tag: 'vms',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Create a VM (idempotent by id)',
    body: CreateVmReq,
    bodyLimit: 1024 * 1024,
    response: VmOperationResp,
  }),
  getVm: defineRoute({
    method: 'GET',
    path: '/api/vms/:id',
    tag: 'vms',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'VM details',
    params: VmById,
    response: AgentVm,
  }),
  stopVm: defineRoute({
    method: 'POST',
    path: '/api/vms/:id/stop',
    tag: 'vms',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Stop a VM',
    params: VmById,
    response: VmOperationResp,
  }),
  startVm: defineRoute({
    method: 'POST',
    path: '/api/vms/:id/start',
    tag: 'vms',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Start a VM',
    params: VmById,
    response: VmOperationResp,
  }),
  restartVm: defineRoute({
    method: 'POST',
    path: '/api/vms/:id/restart',
    tag: 'vms',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Restart a VM',
    params: VmById,
    response: VmOperationResp,
  }),
  deleteVm: defineRoute({
    method: 'DELETE',
    path: '/api/vms/:id',
    tag: 'vms',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Destroy a VM and everything it used',
    params: VmById,
    response: VmOperationResp,
  }),
  listHostVms: defineRoute({
    method: 'GET',
    path: '/api/host/vms',
    tag: 'vms',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary:
      'What the host itself holds per VM id: zones, datasets, links (read from the host, a few commands whatever the number of VMs)',
    response: HostVmListing,
  }),
  getOperation: defineRoute({
    method: 'GET',
    path: '/api/operations/:id',
    tag: 'vms',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'Operation state',
    params: OpById,
    response: Operation,
  }),
  listImages: defineRoute({
    method: 'GET',
    path: '/api/images',
    tag: 'images',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'Images in the local store',
    query: Pagination,
    response: listOf(AgentImage),
  }),
  uploadImage: defineRoute({
    method: 'POST',
    path: '/api/images',
    tag: 'images',
    auth: 'agent_key',
    role: 'operator',
    status: 201,
    summary: 'Upload an image (streamed, verified, imported)',
    query: UploadImageQuery,
    body: 'stream',
    response: AgentImage,
  }),
  pullImage: defineRoute({
    method: 'POST',
    path: '/api/images/pull',
    tag: 'images',
    auth: 'agent_key',
    role: 'operator',
    status: 201,
    summary: 'Pull an image by digest from the controller',
    body: PullImageReq,
    response: AgentImage,
  }),
  deleteImage: defineRoute({
    method: 'DELETE',
    path: '/api/images/:digest',
    tag: 'images',
    auth: 'agent_key',
    role: 'operator',
    status: 200,
    summary: 'Delete an image (refused while a VM uses it)',
    params: ByDigest,
    response: Ok,
  }),
  listApiKeys: defineRoute({
    method: 'GET',
    path: '/api/api-keys',
    tag: 'auth',
    auth: 'agent_key',
    role: 'admin',
    status: 200,
    summary: 'List API keys',
    query: Pagination,
    response: listOf(AgentApiKey),
  }),
  createApiKey: defineRoute({
    method: 'POST',
    path: '/api/api-keys',
    tag: 'auth',
    auth: 'agent_key',
    role: 'admin',
    status: 201,
    summary: 'Create an API key (shown once)',
    body: CreateAgentApiKeyReq,
    response: CreatedAgentApiKey,
  }),
  deleteApiKey: defineRoute({
    method: 'DELETE',
    path: '/api/api-keys/:id',
    tag: 'auth',
    auth: 'agent_key',
    role: 'admin',
    status: 200,
    summary: 'Revoke an API key',
    params: OpById,
    response: Ok,
  }),
  bootstrapApiKey: defineRoute({
    method: 'POST',
    path: '/api/api-keys/bootstrap',
    tag: 'auth',
    auth: 'public',
    status: 201,
    summary: 'Trade the claim token from the host for the first admin key (works once)',
    body: BootstrapAgentKeyReq,
    response: CreatedAgentApiKey,
  }),
} as const;

export type AgentRoutes = typeof agentRoutes;

/**
 * Console websockets on an agent (not JSON routes, so not in `agentRoutes`): raw bytes both
 * ways, `Authorization: Bearer wh_...` with the operator role on the upgrade request.
 * `serial` is the zone console (`zlogin -C`), `vnc` the guest framebuffer (RFB).
 */
export const agentConsolePaths = {
  serial: (vmId: string) => `/api/vms/${encodeURIComponent(vmId)}/console`,
  vnc: (vmId: string) => `/api/vms/${encodeURIComponent(vmId)}/vnc`,
} as const;
