import type { CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import { getDataset, snapshotsOf } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { zfsUsage } from './zfs-usage.js';

/**
 * `zfs promote clone` (zfs_do_promote, zfs_promote in libzfs_dataset.c): the origin's
 * snapshots up to and including the clone's origin snapshot move to the clone, the clone takes
 * over the origin's own origin, and the old origin becomes a clone of the moved snapshot; every
 * other clone of a moved snapshot follows it. A snapshot name the clone already uses is a
 * conflict (EEXIST from the kernel, reported with the origin snapshot's name).
 */
export async function zfsPromote(io: CommandIo, args: string[]): Promise<number> {
  if (args.length > 0 && args[0]!.startsWith('-')) {
    zfsUsage('promote', `invalid option '${args[0]![1] ?? ''}'`);
  }
  if (args.length < 1) zfsUsage('promote', 'missing clone filesystem argument');
  if (args.length > 1) zfsUsage('promote', 'too many arguments');
  const name = args[0]!;
  return updateState(io.root, (state) => {
    const problem = datasetNameProblem(name, 'dataset');
    const clone = problem ? undefined : getDataset(state, name);
    if (!clone) {
      io.err(`cannot open '${name}': ${problem ?? 'dataset does not exist'}\n`);
      return 1;
    }
    if (!clone.origin) {
      io.err(`cannot promote '${name}': not a cloned filesystem\n`);
      return 1;
    }
    const origin = getDataset(state, clone.origin)!;
    const originFs = getDataset(state, clone.origin.slice(0, clone.origin.indexOf('@')))!;
    const moving = snapshotsOf(state, originFs.name).filter((s) => s.createtxg <= origin.createtxg);
    const conflict = moving.find((s) => getDataset(state, renamed(s, name)));
    if (conflict) {
      const short = conflict.name.slice(conflict.name.indexOf('@') + 1);
      io.err(
        `cannot promote '${name}': conflicting snapshot '${short}' from parent '${clone.origin}'\n`,
      );
      return 1;
    }
    promote(state, clone, originFs, origin, moving);
    return 0;
  });
}

function renamed(snap: DatasetRecord, fs: string): string {
  return `${fs}${snap.name.slice(snap.name.indexOf('@'))}`;
}

function promote(
  state: HostState,
  clone: DatasetRecord,
  originFs: DatasetRecord,
  origin: DatasetRecord,
  moving: DatasetRecord[],
): void {
  const names = new Map(moving.map((s) => [s.name, renamed(s, clone.name)]));
  const originName = origin.name;
  for (const s of moving) {
    delete state.datasets[s.name];
    s.name = names.get(s.name)!;
    state.datasets[s.name] = s;
  }
  for (const d of Object.values(state.datasets)) {
    if (d.origin && names.has(d.origin)) d.origin = names.get(d.origin)!;
  }
  const grandOrigin = originFs.origin;
  if (grandOrigin === undefined) delete clone.origin;
  else clone.origin = grandOrigin;
  originFs.origin = names.get(originName)!;
}
