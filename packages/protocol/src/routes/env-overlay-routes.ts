import { Ok } from '../schemas/common.js';
import {
  EnvOverlay,
  EnvOverlayList,
  EnvOverlayParams,
  PutEnvOverlayReq,
} from '../schemas/env-overlay.js';
import { defineRoute } from './define-route.js';

/** Environment overlays on an agent (issue 14): the controller keeps them in step with the VMs. */
export const envOverlayRoutes = {
  listEnvOverlays: defineRoute({
    method: 'GET',
    path: '/api/env-overlays',
    tag: 'network',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'Environment overlays (VXLAN, varpd files mapping) on this host',
    response: EnvOverlayList,
  }),
  putEnvOverlay: defineRoute({
    method: 'PUT',
    path: '/api/env-overlays/:env_id',
    tag: 'network',
    auth: 'agent_key',
    role: 'operator',
    status: 200,
    summary: "Make an environment's overlay if missing and set its whole mapping",
    params: EnvOverlayParams,
    body: PutEnvOverlayReq,
    bodyLimit: 1024 * 1024,
    response: EnvOverlay,
  }),
  deleteEnvOverlay: defineRoute({
    method: 'DELETE',
    path: '/api/env-overlays/:env_id',
    tag: 'network',
    auth: 'agent_key',
    role: 'operator',
    status: 200,
    summary: "Remove an environment's overlay (refused while a VM is on it); absent is fine",
    params: EnvOverlayParams,
    response: Ok,
  }),
} as const;
