import type { Logger } from '@apiary/server-kit';
import type { Db } from '../db/open.js';
import type { HostExec } from '../host/exec.js';
import type { Layout } from '../host/layout.js';
import { abortPartialReceive } from '../host/zfs-transfer.js';
import type { OperationRunner } from '../vms/operation-runner.js';
import { takeApart } from '../vms/take-apart.js';
import { deleteVmRow, getVm } from '../vms/vm-store.js';
import { type ImportRow, specOf } from './import-store.js';
import { volumeDataset } from './import-view.js';

/**
 * Everything an import put on this host goes: partial receives first (a hidden `%recv` clone
 * keeps its volume from being destroyed), then whatever of a VM is there (the undo of every
 * create step, so a commit whose own undo was cut short is covered too), then the record once
 * the host shows nothing of it. Returns what is still there, in words.
 */
export async function removeImported(
  deps: { db: Db; exec: HostExec; log: Logger; layout: Layout; runner: OperationRunner },
  row: ImportRow,
): Promise<string[]> {
  const vm = getVm(deps.db, row.vmId);
  if (vm?.state !== 'importing') return [];
  for (const v of specOf(row).volumes) {
    await abortPartialReceive(deps.exec, volumeDataset(deps.layout, row.vmId, v.name));
  }
  const left = await takeApart(deps.runner.context(vm), deps);
  if (left.length === 0) deleteVmRow(deps.db, vm.id);
  return left;
}
