import { getopt } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';
import { addDataset, descendantsOf, getDataset, poolOf, zvolDevice } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { SpaceCalculator } from './zfs-space.js';
import { zfsUsage } from './zfs-usage.js';
import { checkPropSetting, parseOptionProps } from './zfs-validate.js';
import { copyData, snapshotDataPath } from './zvol-data.js';

/**
 * `zfs snapshot [-r] [-o prop=value] fs@snap ...` as zfs_do_snapshot() and zfs_snapshot_nvl()
 * (libzfs_dataset.c) do it: every name is gathered first (`-r` adds the descendants that are
 * not part-way through a receive), then the kernel creates all of them in one transaction or
 * none. Each snapshot that cannot be made gets its own line; with more than one snapshot
 * requested zfs adds `no snapshots were created`.
 */
export async function zfsSnapshot(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'ro:');
  const parsed = parseOptionProps(opts.values.get('o'));
  if ('error' in parsed) {
    io.err(`${parsed.error}\n`);
    return 1;
  }
  if (opts.operands.length === 0) zfsUsage('snapshot', 'missing snapshot argument');
  const recursive = opts.flags.has('r');
  const multiple = recursive || opts.operands.length > 1;
  return updateState(io.root, (state) => {
    const targets: string[] = [];
    for (const operand of opts.operands) {
      const at = operand.indexOf('@');
      if (at < 0) zfsUsage('snapshot');
      const fs = operand.slice(0, at);
      const short = operand.slice(at + 1);
      const ds = getDataset(state, fs);
      if (!ds || ds.type === 'snapshot') {
        io.err(
          ds
            ? `cannot open '${fs}': operation not applicable to datasets of this type\n`
            : `cannot open '${fs}': dataset does not exist\n`,
        );
        zfsUsage('snapshot');
      }
      add(targets, `${fs}@${short}`);
      if (recursive) {
        for (const d of descendantsOf(state, fs).reverse())
          if (d.type !== 'snapshot' && !d.partial) add(targets, `${d.name}@${short}`);
      }
    }
    const status = checkSnapshots(io, state, targets, parsed.props);
    if (status !== 0) {
      if (multiple) io.err('no snapshots were created\n');
      return status;
    }
    createSnapshots(io, state, targets, Object.fromEntries(parsed.props));
    return 0;
  });
}

function add(list: string[], name: string): void {
  if (!list.includes(name)) list.push(name);
}

/** Everything zfs_snapshot_nvl and the kernel's check refuse; 0 when all may be created. */
function checkSnapshots(
  io: CommandIo,
  state: HostState,
  targets: string[],
  props: Array<[string, string]>,
): number {
  for (const name of targets) {
    const problem = datasetNameProblem(name, 'snapshot');
    if (problem) {
      io.err(`cannot create snapshot '${name}': ${problem}\n`);
      return 1;
    }
  }
  for (const [prop, value] of props) {
    const check = checkPropSetting(prop, value, 'snapshot', true);
    if ('error' in check) {
      io.err(`cannot create snapshots : ${check.error}\n`);
      return 1;
    }
  }
  // zfs_ioc_snapshot: one pool, and one snapshot per file system, in a single request
  const filesystems = targets.map((t) => t.slice(0, t.indexOf('@')));
  const crossPool = targets.some((t) => poolOf(t) !== poolOf(targets[0]!));
  if (crossPool || new Set(filesystems).size !== filesystems.length) {
    io.err('cannot create snapshots : multiple snapshots of same fs not allowed\n');
    return 1;
  }
  let failed = false;
  for (const name of targets) {
    const fs = getDataset(state, name.slice(0, name.indexOf('@')))!;
    let why: string | undefined;
    if (getDataset(state, name)) why = 'dataset already exists';
    else if (fs.partial) why = 'dataset is busy';
    if (why) {
      io.err(`cannot create snapshot '${name}': ${why}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

function createSnapshots(
  io: CommandIo,
  state: HostState,
  targets: string[],
  props: Record<string, string>,
): void {
  const space = new SpaceCalculator(state, io.hostRoot);
  const referenced = new Map(
    targets.map((t) => [t, space.referenced(getDataset(state, t.slice(0, t.indexOf('@')))!)]),
  );
  for (const target of targets) {
    const live = getDataset(state, target.slice(0, target.indexOf('@')))!;
    const snap = addDataset(state, io.hostRoot, {
      name: target,
      type: 'snapshot',
      props,
      referenced: referenced.get(target)!,
      unique: 0,
      ...(live.type === 'volume'
        ? { volsize: live.volsize!, volblocksize: live.volblocksize! }
        : {}),
    });
    if (live.type === 'volume')
      copyData(zvolDevice(io.hostRoot, live.name), snapshotDataPath(io.root, snap));
  }
}
