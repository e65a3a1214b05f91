import { getopt } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { nicenum } from '../core/sizes.js';
import { updateState } from '../core/state-store.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import { swapHolding } from '../swap/swap-devices.js';
import { zoneHoldingZvol, zoneUsingPath } from '../zones/zone-usage.js';
import { dependentClones } from './zfs-dependents.js';
import { clonesOf, descendantsOf, getDataset, mountpointOf, removeDataset } from './zfs-model.js';
import { SpaceCalculator } from './zfs-space.js';
import { zfsUsage } from './zfs-usage.js';

/**
 * `zfs destroy [-fnpRrv]`: refuses datasets with children (without -r), with dependent clones
 * (without -R), zvols a running zone holds open (`dataset is busy`) and file systems a running
 * zone sits on. Destroys deepest first, so a failure part-way leaves a consistent tree.
 */
export async function zfsDestroy(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'dfnpRrv');
  if (opts.operands.length === 0) zfsUsage('destroy', 'missing dataset argument');
  if (opts.operands.length > 1) zfsUsage('destroy', 'too many arguments');
  const target = opts.operands[0]!;
  const recursive = opts.flags.has('r') || opts.flags.has('R');
  const dependents = opts.flags.has('R');
  const dryRun = opts.flags.has('n');
  return updateState(io.root, (state) => {
    if (target.includes('@'))
      return destroySnapshots(io, state, target, recursive, dependents, dryRun, opts.flags);
    const ds = getDataset(state, target);
    if (!ds) {
      io.err(`cannot open '${target}': dataset does not exist\n`);
      return 1;
    }
    const below = descendantsOf(state, target);
    if (!recursive && below.length > 0) {
      io.err(
        `cannot destroy '${target}': ${ds.type === 'volume' ? 'volume' : 'filesystem'} has children\nuse '-r' to destroy the following datasets:\n${listOrder(below)}`,
      );
      return 1;
    }
    const victims = [...below, ds];
    const clones = dependentClones(state, victims);
    if (clones.length > 0 && !dependents) {
      io.err(
        `cannot destroy '${target}': ${ds.type === 'volume' ? 'volume' : 'filesystem'} has dependent clones\nuse '-R' to destroy the following datasets:\n${listOrder(clones)}`,
      );
      return 1;
    }
    const all = [...clones, ...victims];
    const busy = busyProblem(state, all, opts.flags.has('f'));
    if (busy) {
      io.err(busy);
      return 1;
    }
    report(io, all, dryRun, opts.flags);
    if (!dryRun) for (const d of all) removeDataset(state, io.root, io.hostRoot, d.name);
    return 0;
  });
}

function destroySnapshots(
  io: CommandIo,
  state: HostState,
  target: string,
  recursive: boolean,
  dependents: boolean,
  dryRun: boolean,
  flags: Set<string>,
): number {
  const [fs, spec] = target.split('@') as [string, string];
  const names = spec.split(',');
  const roots = recursive
    ? [getDataset(state, fs), ...descendantsOf(state, fs)]
    : [getDataset(state, fs)];
  const snaps: DatasetRecord[] = [];
  for (const root of roots) {
    if (!root || root.type === 'snapshot') continue;
    for (const short of names) {
      const snap = getDataset(state, `${root.name}@${short}`);
      if (snap) snaps.push(snap);
    }
  }
  if (snaps.length === 0) {
    if (!getDataset(state, fs)) {
      io.err(`cannot open '${fs}': dataset does not exist\n`);
      return 1;
    }
    io.err('could not find any snapshots to destroy; check snapshot names.\n');
    return 1;
  }
  const defer = flags.has('d');
  if (!dependents && !defer) {
    // snapshot_to_nvl_cb(): each cloned snapshot lists its dependents (destroy_check_dependent)
    let refused = false;
    for (const snap of snaps) {
      const clones = dependentClones(state, [snap]);
      if (clones.length === 0) continue;
      io.err(
        `cannot destroy '${snap.name}': snapshot has dependent clones\nuse '-R' to destroy the following datasets:\n${listOrder(clones)}`,
      );
      refused = true;
    }
    if (refused) return 1;
  }
  // -d marks a cloned snapshot for deferred destruction: it goes when its last clone does
  const now =
    defer && !dependents ? snaps.filter((s) => clonesOf(state, s.name).length === 0) : snaps;
  const clones = dependents ? dependentClones(state, snaps) : [];
  const all = [...clones, ...now];
  const busy = busyProblem(state, all, flags.has('f'));
  if (busy) {
    io.err(busy);
    return 1;
  }
  // the snapshots are listed while gathered, with the space they free; -R's clones are listed
  // as destroy_clones() removes them, which a dry run never does
  report(io, snaps, dryRun, flags);
  reportReclaim(io, state, io.hostRoot, snaps, dryRun, flags);
  if (!dryRun) report(io, clones, dryRun, flags);
  if (!dryRun) for (const d of all) removeDataset(state, io.root, io.hostRoot, d.name);
  return 0;
}

/** `will reclaim N` after the snapshots `-v`/`-n` lists (zfs_do_destroy, zfs_nicenum). */
function reportReclaim(
  io: CommandIo,
  state: HostState,
  hostRoot: string,
  snaps: DatasetRecord[],
  dryRun: boolean,
  flags: Set<string>,
): void {
  if (!flags.has('v') && !flags.has('p')) return;
  const space = new SpaceCalculator(state, hostRoot);
  const bytes = snaps.reduce((n, s) => n + space.unique(s), 0);
  if (flags.has('p')) io.out(`reclaim\t${bytes}\n`);
  else io.out(`${dryRun ? 'would reclaim' : 'will reclaim'} ${nicenum(bytes)}\n`);
}

function busyProblem(state: HostState, all: DatasetRecord[], _force: boolean): string | undefined {
  for (const d of all) {
    // A volume a running zone boots from, or one in use as swap, is held open by the kernel.
    if (d.type === 'volume' && (zoneHoldingZvol(state, d.name) || swapHolding(state, d.name))) {
      return `cannot destroy '${d.name}': dataset is busy\n`;
    }
    if (d.type === 'filesystem') {
      const mp = mountpointOf(state, d.name).value;
      if (mp.startsWith('/') && zoneUsingPath(state, mp))
        return `cannot unmount '${mp}': Device busy\n`;
    }
  }
  return undefined;
}

function report(io: CommandIo, all: DatasetRecord[], dryRun: boolean, flags: Set<string>): void {
  if (!flags.has('v') && !flags.has('p')) return;
  for (const d of all) {
    if (flags.has('p')) io.out(`destroy\t${d.name}\n`);
    else io.out(`${dryRun ? 'would destroy' : 'will destroy'} ${d.name}\n`);
  }
}

function listOrder(list: DatasetRecord[]): string {
  return list.map((d) => `${d.name}\n`).join('');
}
