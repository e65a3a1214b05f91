import type { FailureCode } from '@apiary/protocol';
import { index, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/*
 * Moving VMs between hosts (issue 15). An import is the target's side: the VM's record
 * (state `importing`) holds its reservations, this row holds the transfer token's hash and what
 * each volume should end up as. An export is the source's side: its progress, and the target's
 * address and token while it runs (cleared when it ends, so the secret lives no longer).
 */

export const migrationImports = sqliteTable(
  'migration_imports',
  {
    id: text('id').primaryKey(),
    vmId: text('vm_id').notNull(),
    state: text('state', {
      enum: ['open', 'committing', 'committed', 'aborting', 'aborted'],
    }).notNull(),
    /** sha256 of the transfer token; null once the import is committed or aborted. */
    tokenHash: text('token_hash'),
    expiresAt: text('expires_at').notNull(),
    /** JSON VmMigrationSpec as the controller gave it. */
    spec: text('spec').notNull(),
    /** JSON `{ [volume]: { snapshot, guid } }`: the last snapshot received and verified. */
    received: text('received').notNull().default('{}'),
    operationId: text('operation_id'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('migration_imports_vm').on(t.vmId)],
);

export const migrationExports = sqliteTable(
  'migration_exports',
  {
    id: text('id').primaryKey(),
    vmId: text('vm_id').notNull(),
    operationId: text('operation_id').notNull(),
    snapshot: text('snapshot').notNull(),
    incrementalFrom: text('incremental_from'),
    targetUrl: text('target_url').notNull(),
    targetFingerprint: text('target_fingerprint'),
    /** The import's transfer token, kept to resume after a restart; null once the export ended. */
    transferToken: text('transfer_token'),
    /** JSON ExportVolume[]: per-volume progress. */
    volumes: text('volumes').notNull().default('[]'),
    errorCode: text('error_code').$type<FailureCode>(),
    errorMsg: text('error_msg'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('migration_exports_vm').on(t.vmId)],
);
