import type { ImportVolume, MigrationImport } from '@apiary/protocol';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { listDatasetTree } from '../host/zfs.js';
import { resumeTokenOf } from '../host/zfs-transfer.js';
import { type ImportRow, receivedOf, specOf } from './import-store.js';
import type { LiveReceives } from './volume-receive.js';

/** The dataset an imported volume lands in: the same name a VM created here would have. */
export function volumeDataset(layout: Layout, vmId: string, name: string): string {
  return `${layout.vmDataset(vmId)}/${name}`;
}

export function liveKey(importId: string, name: string): string {
  return `${importId}/${name}`;
}

/**
 * An import as the host shows it: one listing of the VM's datasets, and the resume token of
 * each volume that exists and has not received its latest stream in full.
 */
export async function viewImport(
  row: ImportRow,
  deps: { exec: HostExec; layout: Layout; live: LiveReceives },
): Promise<MigrationImport> {
  const spec = specOf(row);
  const received = receivedOf(row);
  const live = ['open', 'committing'].includes(row.state);
  const present = live
    ? new Set(
        (await listDatasetTree(deps.exec, deps.layout.vmDataset(row.vmId))).map((r) => r.name),
      )
    : new Set<string>();
  const volumes: ImportVolume[] = [];
  for (const v of spec.volumes) {
    const dataset = volumeDataset(deps.layout, row.vmId, v.name);
    const key = liveKey(row.id, v.name);
    const streaming = deps.live.bytes(key);
    const token =
      streaming === null && present.has(dataset)
        ? await resumeTokenOf(deps.exec, dataset).catch(() => null)
        : null;
    const got = live || row.state === 'committed' ? received[v.name] : undefined;
    volumes.push({
      name: v.name,
      volsize: v.volsize,
      state: streaming !== null ? 'receiving' : token ? 'partial' : got ? 'received' : 'empty',
      snapshot: got?.snapshot ?? null,
      guid: got?.guid ?? null,
      bytes_received: streaming ?? 0,
      resume_token: token,
    });
  }
  return {
    id: row.id,
    vm_id: row.vmId,
    state: row.state,
    expires_at: row.expiresAt,
    volumes,
    operation_id: row.operationId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
