import { z } from 'zod';
import { OrgScopeQuery } from '../schemas/env.js';
import { VmId } from '../schemas/names.js';
import { MigrateVmReq, VmOperationAccepted } from '../schemas/vm-operation.js';
import { defineRoute } from './define-route.js';

/*
 * Moving a VM to another host (issue 15), controller side: a durable operation (kind
 * `migrate`) that copies the VM's disks agent to agent, switches it over and removes it from
 * its old host; followed at `GET /v1/operations/{id}` with its `progress`.
 */

const VmById = z.strictObject({ id: VmId });

export const vmMigrationRoutes = {
  migrateVm: defineRoute({
    method: 'POST',
    path: '/v1/vms/:id/migrate',
    tag: 'vms',
    auth: 'user',
    scope: 'hosts:admin',
    status: 202,
    summary:
      'Move a running or stopped VM to another host (`to`, or one placement picks), with its disks, id, MAC and forwards',
    params: VmById,
    query: OrgScopeQuery,
    body: MigrateVmReq,
    response: VmOperationAccepted,
  }),
} as const;
