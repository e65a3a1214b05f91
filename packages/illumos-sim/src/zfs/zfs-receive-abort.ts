import { rmSync } from 'node:fs';
import type { CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { getDataset, removeDataset } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { zfsUsage } from './zfs-usage.js';
import { recvCloneDataPath } from './zvol-data.js';

/**
 * `zfs receive -A fs` (zfs_do_receive): destroys `fs/%recv` when an incremental receive left
 * one, else destroys `fs` itself when it is a new dataset a receive left inconsistent with a
 * resume token; anything else has no state to abort.
 */
export function abortResumable(io: CommandIo, name: string): Promise<number> {
  return updateState(io.root, (state) => {
    const problem = datasetNameProblem(name, 'dataset');
    const fs = problem ? undefined : getDataset(state, name);
    if (fs?.recvClone) {
      delete fs.recvClone;
      rmSync(recvCloneDataPath(io.root, fs), { force: true });
      return 0;
    }
    if (!fs) {
      io.err(`cannot open '${name}': ${problem ?? 'dataset does not exist'}\n`);
      zfsUsage('receive');
    }
    if (!fs.partial) {
      io.err(`'${name}' does not have any resumable receive state to abort\n`);
      return 1;
    }
    removeDataset(state, io.root, io.hostRoot, name);
    return 0;
  });
}
