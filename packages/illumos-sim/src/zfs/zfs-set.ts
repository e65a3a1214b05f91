import { existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { getopt } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { nicenum } from '../core/sizes.js';
import { updateState } from '../core/state-store.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import { parentProblem } from './zfs-create.js';
import {
  addDataset,
  DEFAULT_VOLBLOCKSIZE,
  descendantsOf,
  getDataset,
  hostPath,
  mountDataset,
  mountpointOf,
  poolOf,
  zvolDevice,
} from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { canonicalProp, isUserProp, PROPS } from './zfs-props.js';
import { SpaceCalculator, volsizeToReservation } from './zfs-space.js';
import { zfsUsage } from './zfs-usage.js';
import { checkPropSetting } from './zfs-validate.js';

/** `zfs set prop=value ... ds ...`, including volsize growth against free space. */
export async function zfsSet(io: CommandIo, args: string[]): Promise<number> {
  if (args.length < 1) zfsUsage('set', 'missing arguments');
  const assignments: Array<[string, string]> = [];
  let i = 0;
  for (; i < args.length && args[i]!.includes('='); i++) {
    const eq = args[i]!.indexOf('=');
    assignments.push([args[i]!.slice(0, eq), args[i]!.slice(eq + 1)]);
  }
  if (assignments.length === 0) zfsUsage('set', "missing '=' for property=value argument");
  const targets = args.slice(i);
  if (targets.length === 0) zfsUsage('set', 'missing dataset name(s)');
  return updateState(io.root, (state) => {
    let status = 0;
    for (const name of targets) {
      const ds = getDataset(state, name);
      if (!ds) {
        io.err(`cannot open '${name}': dataset does not exist\n`);
        status = 1;
        continue;
      }
      const fail = (why: string) => {
        io.err(`cannot set property for '${name}': ${why}\n`);
        status = 1;
      };
      // zfs_valid_proplist(): the whole list is checked first and the first problem stops it
      const valid = validateAll(ds, assignments);
      if ('error' in valid) {
        fail(valid.error);
        continue;
      }
      for (const { prop, value } of valid.props) {
        const problem = applyProp(state, io.hostRoot, ds, prop, value);
        if (problem) fail(problem);
      }
    }
    return status;
  });
}

type Valid = { props: Array<{ prop: string; value: string }> } | { error: string };

function validateAll(ds: DatasetRecord, assignments: Array<[string, string]>): Valid {
  const props: Array<{ prop: string; value: string }> = [];
  for (const [raw, rawValue] of assignments) {
    const check = checkPropSetting(raw, rawValue, ds.type, false);
    if ('error' in check) return check;
    if (ds.type === 'snapshot' && !isUserProp(check.prop))
      return { error: 'this property can not be modified for snapshots' };
    if (check.prop === 'volsize') {
      const problem = volsizeProblem(ds, Number(check.value));
      if (problem) return { error: problem };
    }
    props.push(check);
  }
  return { props };
}

/** The existing-volume checks of zfs_valid_proplist() for volsize. */
function volsizeProblem(ds: DatasetRecord, size: number): string | undefined {
  const bs = ds.volblocksize ?? DEFAULT_VOLBLOCKSIZE;
  if (size % bs !== 0) return `'volsize' must be a multiple of volume block size (${nicenum(bs)})`;
  if (size === 0) return "'volsize' cannot be zero";
  return undefined;
}

/** What the kernel does with one checked property; the reason it refuses, if it does. */
function applyProp(
  state: HostState,
  hostRoot: string,
  ds: DatasetRecord,
  prop: string,
  value: string,
): string | undefined {
  if (prop === 'volsize') return setVolsize(state, hostRoot, ds, Number(value));
  if (prop === 'refreservation' || prop === 'reservation') {
    const space = new SpaceCalculator(state, hostRoot);
    const old = Number(ds.props[prop] ?? 0);
    if (Number(value) - old > space.available(ds) + old)
      return 'size is greater than available space';
  }
  const oldMp = prop === 'mountpoint' ? mountpointOf(state, ds.name).value : undefined;
  ds.props[prop] = value;
  if (oldMp !== undefined) remount(state, hostRoot, ds.name, oldMp);
  return undefined;
}

/**
 * A volume whose refreservation is what its volsize asked for gets a matching one for the new
 * size (zfs_add_synthetic_resv); growing past the free space is the refreservation's ENOSPC.
 * A sparse volume (refreservation none) grows without a check, as on illumos.
 */
function setVolsize(
  state: HostState,
  hostRoot: string,
  ds: DatasetRecord,
  size: number,
): string | undefined {
  const bs = ds.volblocksize ?? DEFAULT_VOLBLOCKSIZE;
  const oldResv = volsizeToReservation(ds.volsize ?? 0, bs);
  const thick = Number(ds.props.refreservation ?? 0) === oldResv;
  if (thick) {
    const newResv = volsizeToReservation(size, bs);
    const space = new SpaceCalculator(state, hostRoot);
    if (newResv - oldResv > space.available(ds) - Math.max(0, oldResv - space.unique(ds))) {
      return 'size is greater than available space';
    }
    ds.props.refreservation = `${newResv}`;
  }
  ds.volsize = size;
  return undefined;
}

function remount(state: HostState, hostRoot: string, name: string, oldMp: string): void {
  const newMp = mountpointOf(state, name).value;
  if (oldMp === newMp) return;
  if (oldMp.startsWith('/') && newMp.startsWith('/') && existsSync(hostPath(hostRoot, oldMp))) {
    mkdirSync(dirname(hostPath(hostRoot, newMp)), { recursive: true });
    rmSync(hostPath(hostRoot, newMp), { recursive: true, force: true });
    renameSync(hostPath(hostRoot, oldMp), hostPath(hostRoot, newMp));
  } else mountDataset(state, hostRoot, name);
}

export async function zfsInherit(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'rS');
  if (opts.operands.length < 2) zfsUsage('inherit', 'missing property or dataset argument');
  const [rawProp, ...targets] = opts.operands as [string, ...string[]];
  const prop = canonicalProp(rawProp);
  if (prop === undefined) zfsUsage('inherit', `invalid property '${rawProp}'`);
  if (
    !isUserProp(prop) &&
    (PROPS[prop]!.readonly || !PROPS[prop]!.inherit) &&
    prop !== 'mountpoint'
  ) {
    io.err(`'${prop}' property cannot be inherited\n`);
    return 1;
  }
  return updateState(io.root, (state) => {
    let status = 0;
    for (const name of targets) {
      const ds = getDataset(state, name);
      if (!ds) {
        io.err(`cannot open '${name}': dataset does not exist\n`);
        status = 1;
        continue;
      }
      const all = opts.flags.has('r') ? [ds, ...descendantsOf(state, name)] : [ds];
      for (const d of all) delete d.props[prop];
    }
    return status;
  });
}

/** `zfs rename`: moves a dataset with everything below it, its mount directory and devices. */
export async function zfsRename(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'fpru');
  if (opts.operands.length !== 2)
    zfsUsage(
      'rename',
      opts.operands.length < 2 ? 'missing target dataset argument' : 'too many arguments',
    );
  const [from, to] = opts.operands as [string, string];
  return updateState(io.root, (state) => {
    const ds = getDataset(state, from);
    if (!ds) {
      io.err(`cannot open '${from}': dataset does not exist\n`);
      return 1;
    }
    const fail = (why: string) => {
      io.err(`cannot rename to '${to}': ${why}\n`);
      return 1;
    };
    const problem = datasetNameProblem(to, ds.type === 'snapshot' ? 'snapshot' : 'dataset');
    if (problem) return fail(problem);
    if (poolOf(from) !== poolOf(to)) return fail('datasets must be within same pool');
    if (ds.type === 'snapshot') {
      if (from.split('@')[0] !== to.split('@')[0])
        return fail('snapshots must be part of same dataset');
    } else {
      if (to.startsWith(`${from}/`))
        return fail('New dataset name cannot be a descendant of current dataset name');
      if (opts.flags.has('p')) {
        const parts = to.split('/');
        for (let k = 2; k < parts.length; k++) {
          const a = parts.slice(0, k).join('/');
          if (!getDataset(state, a))
            addDataset(state, io.hostRoot, { name: a, type: 'filesystem' });
        }
      }
      const pp = parentProblem(state, to);
      if (pp) return fail(pp);
    }
    if (getDataset(state, to)) return fail('dataset already exists');
    const moving = ds.type === 'snapshot' ? [ds] : [ds, ...descendantsOf(state, from)];
    const oldMp = ds.type === 'filesystem' ? mountpointOf(state, from).value : undefined;
    const renames = new Map<string, string>();
    for (const d of moving) renames.set(d.name, to + d.name.slice(from.length));
    for (const d of moving) {
      delete state.datasets[d.name];
      const newName = renames.get(d.name)!;
      d.name = newName;
      state.datasets[newName] = d;
      if (d.type === 'volume')
        moveDevice(io.hostRoot, [...renames.entries()].find(([, n]) => n === newName)![0], newName);
    }
    for (const d of Object.values(state.datasets)) {
      if (d.origin && renames.has(d.origin)) d.origin = renames.get(d.origin)!;
    }
    if (oldMp !== undefined) remount(state, io.hostRoot, to, oldMp);
    return 0;
  });
}

function moveDevice(hostRoot: string, from: string, to: string): void {
  const raw = zvolDevice(hostRoot, from);
  if (!existsSync(raw)) return;
  mkdirSync(dirname(zvolDevice(hostRoot, to)), { recursive: true });
  mkdirSync(dirname(zvolDevice(hostRoot, to, false)), { recursive: true });
  renameSync(raw, zvolDevice(hostRoot, to));
  rmSync(zvolDevice(hostRoot, from, false), { force: true });
  linkSync(zvolDevice(hostRoot, to), zvolDevice(hostRoot, to, false));
}
