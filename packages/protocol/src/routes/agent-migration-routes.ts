import { z } from 'zod';
import { AgentVm, Operation } from '../schemas/agent.js';
import { listOf } from '../schemas/common.js';
import {
  CommitImportReq,
  ImportOpened,
  MigrationExport,
  MigrationImport,
  MigrationVolumeName,
  OpenImportReq,
  StartExportReq,
  UploadVolumeQuery,
  VmMigrationSpec,
} from '../schemas/migration.js';
import { VmId } from '../schemas/names.js';
import { defineRoute } from './define-route.js';

const ImportById = z.strictObject({ id: z.string().regex(/^imp_[a-z0-9]+$/) });
const ExportById = z.strictObject({ id: z.string().regex(/^exp_[a-z0-9]+$/) });
const ImportVolumeParams = ImportById.extend({ name: MigrationVolumeName });
const VmById = z.strictObject({ id: VmId });
/** The export an `export` operation runs (operation ids are `op_` and lower-case base32). */
const ExportsByOperation = z.strictObject({ operation_id: z.string().regex(/^op_[a-z0-9]+$/) });

/** Accepted export: where it stands and the operation running it on the VM. */
export const ExportAccepted = z.object({ export: MigrationExport, operation: Operation });
export type ExportAccepted = z.infer<typeof ExportAccepted>;

const VmOperation = z.object({ vm: AgentVm, operation: Operation });

/**
 * Moving VMs between hosts, agent side (issue 15). The controller calls these with its agent
 * key; the source agent calls the target's import with the import's transfer token (`transfer`
 * auth: that token, for that import only, or an operator key).
 */
export const agentMigrationRoutes = {
  migrationSpec: defineRoute({
    method: 'GET',
    path: '/api/vms/:id/migration-spec',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 200,
    summary: 'What a target agent needs to import this VM (configuration, MAC, volumes)',
    params: VmById,
    response: VmMigrationSpec,
  }),
  openImport: defineRoute({
    method: 'POST',
    path: '/api/migrations/imports',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 201,
    summary: 'Reserve room for an incoming VM and mint its one-time transfer token (shown once)',
    body: OpenImportReq,
    bodyLimit: 1024 * 1024,
    response: ImportOpened,
  }),
  getImport: defineRoute({
    method: 'GET',
    path: '/api/migrations/imports/:id',
    tag: 'migrations',
    auth: 'transfer',
    status: 200,
    summary: 'An import: each volume received, partial (with its resume token) or empty',
    params: ImportById,
    response: MigrationImport,
  }),
  uploadVolume: defineRoute({
    method: 'PUT',
    path: '/api/migrations/imports/:id/volumes/:name',
    tag: 'migrations',
    auth: 'transfer',
    status: 200,
    summary: 'Receive a `zfs send` stream into a volume (`zfs receive -s -u`), guid verified',
    params: ImportVolumeParams,
    query: UploadVolumeQuery,
    body: 'stream',
    response: MigrationImport,
  }),
  commitImport: defineRoute({
    method: 'POST',
    path: '/api/migrations/imports/:id/commit',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Make the VM on this host from the received volumes (same id, MAC, cloud-init)',
    params: ImportById,
    body: CommitImportReq,
    response: VmOperation,
  }),
  abortImport: defineRoute({
    method: 'DELETE',
    path: '/api/migrations/imports/:id',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 200,
    summary: 'Drop an import not committed: everything it received and reserved goes',
    params: ImportById,
    response: MigrationImport,
  }),
  startExport: defineRoute({
    method: 'POST',
    path: '/api/migrations/exports',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary: 'Snapshot a VM’s volumes and stream them to a target agent’s import',
    body: StartExportReq,
    response: ExportAccepted,
  }),
  exportsOfOperation: defineRoute({
    method: 'GET',
    path: '/api/migrations/exports',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary:
      'The export an operation runs: how a controller that lost the answer to a start (found the operation by its request id) learns the export to follow or drop',
    query: ExportsByOperation,
    response: listOf(MigrationExport),
  }),
  getExport: defineRoute({
    method: 'GET',
    path: '/api/migrations/exports/:id',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'viewer',
    status: 200,
    summary: 'An export: bytes sent of the estimated total, per volume',
    params: ExportById,
    response: MigrationExport,
  }),
  deleteExport: defineRoute({
    method: 'DELETE',
    path: '/api/migrations/exports/:id',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 200,
    summary: 'Forget a finished export and destroy the snapshot it took (a migration given up)',
    params: ExportById,
    response: MigrationExport,
  }),
  releaseVm: defineRoute({
    method: 'POST',
    path: '/api/vms/:id/release',
    tag: 'migrations',
    auth: 'agent_key',
    role: 'operator',
    status: 202,
    summary:
      'Remove a stopped VM that was exported and now runs elsewhere (its snapshots go with it)',
    params: VmById,
    response: VmOperation,
  }),
} as const;
