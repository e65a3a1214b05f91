import { getopt } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import { zoneHoldingZvol } from '../zones/zone-usage.js';
import { dependentClones } from './zfs-dependents.js';
import { getDataset, removeDataset, snapshotsOf, zvolDevice } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { zfsUsage } from './zfs-usage.js';
import { copyData, snapshotDataPath } from './zvol-data.js';

/**
 * `zfs rollback [-rRf] fs@snap` as zfs_do_rollback() (zfs_main.c) and zfs_rollback()
 * (libzfs_dataset.c) do it. Without -r, newer snapshots are listed and nothing happens; -r
 * destroys them but refuses while they have clones (listed), -R destroys the clones too.
 * The newer snapshots go first, then the kernel rolls back, which fails with `dataset is busy`
 * for a volume a running zone holds open (the destroyed snapshots stay destroyed, as on
 * illumos). A volume gets its snapshot's bytes and volsize back; its refreservation follows
 * only when it equalled the old volsize (restore_resv).
 */
export async function zfsRollback(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'rRf');
  if (opts.operands.length < 1) zfsUsage('rollback', 'missing dataset argument');
  if (opts.operands.length > 1) zfsUsage('rollback', 'too many arguments');
  const target = opts.operands[0]!;
  const withClones = opts.flags.has('R');
  const recursive = withClones || opts.flags.has('r');
  return updateState(io.root, (state) => {
    const problem = datasetNameProblem(target, 'snapshot');
    if (problem) {
      io.err(`cannot open '${target}': ${problem}\n`);
      return 1;
    }
    const snap = getDataset(state, target);
    if (!snap) {
      io.err(`cannot open '${target}': dataset does not exist\n`);
      return 1;
    }
    const fs = getDataset(state, target.slice(0, target.indexOf('@')))!;
    const newer = snapshotsOf(state, fs.name).filter((s) => s.createtxg > snap.createtxg);
    if (!withClones && newer.length > 0) {
      const refusal = recursive ? cloneRefusal(state, target, newer) : newerRefusal(target, newer);
      if (refusal) {
        io.err(refusal);
        return 1;
      }
    }
    for (const s of newer) {
      for (const d of dependentClones(state, [s])) {
        const busy = destroyProblem(state, d);
        if (busy) {
          io.err(busy);
          return 1;
        }
        removeDataset(state, io.root, io.hostRoot, d.name);
      }
      removeDataset(state, io.root, io.hostRoot, s.name);
    }
    if (fs.type === 'volume' && zoneHoldingZvol(state, fs.name)) {
      io.err(`cannot rollback '${fs.name}': dataset is busy\n`);
      return 1;
    }
    restore(io, fs, snap);
    return 0;
  });
}

function newerRefusal(target: string, newer: DatasetRecord[]): string {
  return `cannot rollback to '${target}': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\n${newer.map((s) => `${s.name}\n`).join('')}`;
}

/** rollback_check_dependent(): -r stops at the first clone of a newer snapshot. */
function cloneRefusal(
  state: HostState,
  target: string,
  newer: DatasetRecord[],
): string | undefined {
  const clones = newer.flatMap((s) => dependentClones(state, [s]));
  if (clones.length === 0) return undefined;
  return `cannot rollback to '${target}': clones of previous snapshots exist\nuse '-R' to force deletion of the following clones and dependents:\n${clones.map((c) => `${c.name}\n`).join('')}`;
}

function destroyProblem(state: HostState, d: DatasetRecord): string | undefined {
  if (d.type === 'volume' && zoneHoldingZvol(state, d.name))
    return `cannot destroy '${d.name}': dataset is busy\n`;
  return undefined;
}

function restore(io: CommandIo, fs: DatasetRecord, snap: DatasetRecord): void {
  fs.referenced = snap.referenced;
  if (fs.type !== 'volume') return;
  copyData(snapshotDataPath(io.root, snap), zvolDevice(io.hostRoot, fs.name));
  const oldVolsize = fs.volsize ?? 0;
  const newVolsize = snap.volsize ?? oldVolsize;
  const restoreResv = Number(fs.props.refreservation ?? 0) === oldVolsize;
  fs.volsize = newVolsize;
  if (restoreResv && oldVolsize !== newVolsize) fs.props.refreservation = `${newVolsize}`;
}
