import { getopt, lastValue } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { parseSize } from '../core/sizes.js';
import { updateState } from '../core/state-store.js';
import type { DatasetType, HostState } from '../core/state-types.js';
import { copyFilesystemContents } from './fs-contents.js';
import {
  addDataset,
  DEFAULT_VOLBLOCKSIZE,
  getDataset,
  parentOf,
  poolOf,
  VOL_BASE,
  zvolDevice,
} from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { SpaceCalculator, volsizeToReservation } from './zfs-space.js';
import { zfsUsage } from './zfs-usage.js';
import { checkPropSetting, parseOptionProps } from './zfs-validate.js';
import { copyData, snapshotDataPath } from './zvol-data.js';

/** The reason `name`'s parent cannot hold a new dataset, as check_parents() words it. */
export function parentProblem(state: HostState, name: string): string | undefined {
  const pool = poolOf(name);
  if (!state.pools.some((p) => p.name === pool)) return `no such pool '${pool}'`;
  const parent = parentOf(name);
  if (parent === undefined) return undefined;
  const ds = getDataset(state, parent);
  if (!ds) return 'parent does not exist';
  if (ds.type !== 'filesystem') return 'parent is not a filesystem';
  return undefined;
}

function createAncestors(state: HostState, hostRoot: string, name: string): void {
  const parts = name.split('/');
  for (let i = 2; i < parts.length; i++) {
    const ancestor = parts.slice(0, i).join('/');
    if (!getDataset(state, ancestor))
      addDataset(state, hostRoot, { name: ancestor, type: 'filesystem' });
  }
}

export async function zfsCreate(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'psb:o:V:');
  const volsizeText = lastValue(opts, 'V');
  const isVolume = volsizeText !== undefined;
  // parseprop() complains inside the option loop and zfs_do_create() returns 1, no usage
  const parsed = parseOptionProps(opts.values.get('o'));
  if ('error' in parsed) {
    io.err(`${parsed.error}\n`);
    return 1;
  }
  if (!isVolume && (opts.flags.has('s') || opts.flags.has('b'))) {
    zfsUsage('create', "'-s' and '-b' can only be used when creating a volume");
  }
  if (opts.operands.length === 0)
    zfsUsage('create', `missing ${isVolume ? 'volume' : 'filesystem'} argument`);
  if (opts.operands.length > 1) zfsUsage('create', 'too many arguments');
  const name = opts.operands[0]!;
  const type: DatasetType = isVolume ? 'volume' : 'filesystem';
  const fail = (why: string) => {
    io.err(`cannot create '${name}': ${why}\n`);
    return 1;
  };
  let volsize = 0;
  if (isVolume) {
    const n = parseSize(volsizeText);
    if (n === undefined) {
      io.err(`bad volume size '${volsizeText}': bad numeric value '${volsizeText}'\n`);
      return 1;
    }
    volsize = n;
  }
  const problem = datasetNameProblem(name, 'dataset');
  if (problem) return fail(problem);
  const props: Record<string, string> = {};
  for (const [prop, value] of parsed.props) {
    const check = checkPropSetting(prop, value, type, true);
    if ('error' in check) return fail(check.error);
    props[check.prop] = check.value;
  }
  const bsText = lastValue(opts, 'b');
  if (bsText !== undefined) {
    const check = checkPropSetting('volblocksize', bsText, 'volume', true);
    if ('error' in check) return fail(check.error);
    props.volblocksize = check.value;
  }
  return updateState(io.root, (state) => {
    if (opts.flags.has('p') && getDataset(state, name)) return 0;
    if (opts.flags.has('p')) {
      const poolProblem = parentProblem(state, poolOf(name));
      if (poolProblem) return fail(poolProblem);
      createAncestors(state, io.hostRoot, name);
    }
    const pp = parentProblem(state, name);
    if (pp) return fail(pp);
    if (getDataset(state, name)) return fail('dataset already exists');
    const volblocksize = Number(props.volblocksize ?? DEFAULT_VOLBLOCKSIZE);
    if (isVolume) {
      if (volsize === 0) return fail('volume size cannot be zero');
      if (volsize % volblocksize !== 0)
        return fail('volume size must be a multiple of volume block size');
      if (!opts.flags.has('s') && props.refreservation === undefined) {
        props.refreservation = `${volsizeToReservation(volsize, volblocksize)}`;
      }
    }
    const space = new SpaceCalculator(state, io.hostRoot);
    const parent = getDataset(state, parentOf(name)!);
    const needed =
      (isVolume ? VOL_BASE : 0) +
      Math.max(Number(props.refreservation ?? 0), Number(props.reservation ?? 0));
    if (parent && needed > space.available(parent)) return fail('out of space');
    const { volblocksize: _vbs, ...rest } = props;
    addDataset(state, io.hostRoot, {
      name,
      type,
      props: isVolume && props.volblocksize ? { ...rest, volblocksize: props.volblocksize } : rest,
      ...(isVolume ? { volsize, volblocksize } : {}),
    });
    return 0;
  });
}

export async function zfsClone(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'po:');
  const parsed = parseOptionProps(opts.values.get('o'));
  if ('error' in parsed) {
    io.err(`${parsed.error}\n`);
    return 1;
  }
  if (opts.operands.length < 1) zfsUsage('clone', 'missing source dataset argument');
  if (opts.operands.length < 2) zfsUsage('clone', 'missing target dataset argument');
  if (opts.operands.length > 2) zfsUsage('clone', 'too many arguments');
  const [source, target] = opts.operands as [string, string];
  return updateState(io.root, (state) => {
    // zfs_open(ZFS_TYPE_SNAPSHOT) checks the name before it looks the dataset up
    const invalid = datasetNameProblem(source, 'snapshot');
    const snap = invalid ? undefined : getDataset(state, source);
    if (!snap) {
      io.err(`cannot open '${source}': ${invalid ?? 'dataset does not exist'}\n`);
      return 1;
    }
    const live = getDataset(state, parentOf(source)!)!;
    const fail = (why: string) => {
      io.err(`cannot create '${target}': ${why}\n`);
      return 1;
    };
    const problem = datasetNameProblem(target, 'dataset');
    if (problem) return fail(problem);
    if (poolOf(target) !== poolOf(source)) return fail('source and target pools differ');
    if (opts.flags.has('p') && !getDataset(state, target))
      createAncestors(state, io.hostRoot, target);
    const pp = parentProblem(state, target);
    if (pp) return fail(pp);
    if (getDataset(state, target)) return fail('dataset already exists');
    const props: Record<string, string> = {};
    for (const [prop, value] of parsed.props) {
      const check = checkPropSetting(prop, value, live.type, false);
      if ('error' in check) return fail(check.error);
      props[check.prop] = check.value;
    }
    addDataset(state, io.hostRoot, {
      name: target,
      type: live.type,
      props,
      origin: source,
      referenced: snap.referenced,
      unique: live.type === 'volume' ? VOL_BASE : 0,
      ...(live.type === 'volume'
        ? { volsize: snap.volsize ?? live.volsize!, volblocksize: live.volblocksize! }
        : {}),
    });
    if (live.type === 'volume')
      copyData(snapshotDataPath(io.root, snap), zvolDevice(io.hostRoot, target));
    if (live.type === 'filesystem') copyFilesystemContents(state, io.hostRoot, live.name, target);
    return 0;
  });
}
