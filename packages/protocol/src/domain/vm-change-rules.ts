import { ApiError } from '../api-error.js';
import type { VmOperation } from '../schemas/vm-operation.js';

/*
 * Rules the CLI and the dashboard share about changing VMs (issue 13), so that `apiary vms
 * rollback` and the dashboard's rollback button read the controller's answers alike.
 */

/** An operation in one of these states changes no more. */
export function vmOperationSettled(operation: Pick<VmOperation, 'state'>): boolean {
  return operation.state === 'succeeded' || operation.state === 'failed';
}

/**
 * A rollback the controller refused until the caller confirms: later snapshots would be
 * destroyed (`force`), or the VM is running (`stop`). `reason` is the controller's sentence
 * without its advice about query flags (`?force=true`), which a person answers with a flag or a
 * confirm button instead.
 */
export interface RollbackRefusal {
  needs: 'force' | 'stop';
  reason: string;
}

/** Reads a 409 from `POST .../snapshots/{name}/rollback`; null for any other error. */
export function rollbackRefusal(error: unknown): RollbackRefusal | null {
  if (!(error instanceof ApiError) || error.code !== 'conflict') return null;
  const flag = /\?(force|stop)=true/.exec(error.message);
  if (!flag) return null;
  // Cut the clause that names the query flag: "...; repeat with ?force=true to confirm".
  const reason = error.message.replace(/[;,:]?\s*[^;,:]*\?(?:force|stop)=true.*$/, '').trim();
  return { needs: flag[1] as 'force' | 'stop', reason: reason || error.message };
}
