import type { DatasetRecord, HostState } from '../core/state-types.js';
import { addDataset, getDataset, parentOf, snapshotsOf } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import type { StreamBegin } from './zfs-stream.js';

/**
 * Where a stream section lands, as zfs_receive_one() (libzfs_sendrecv.c) works it out: the
 * destination snapshot from the command's target (-d keeps all but the pool of the sent name,
 * -e only its last component, a plain file system keeps what follows the sent file system),
 * then whether the destination exists and may take the stream. Errors come back as the text
 * zfs prints.
 */
export interface RecvFlags {
  force: boolean;
  dryrun: boolean;
  verbose: boolean;
  nomount: boolean;
  resumable: boolean;
  isprefix: boolean;
  istail: boolean;
}

export interface Target {
  destsnap: string;
  /** The destination file system or volume. */
  name: string;
  errbuf: string;
  wantsNewFs: boolean;
  existing: DatasetRecord | undefined;
  /** A receive -s left state on the destination. */
  hastoken: boolean;
}

export function destinationSnapshot(
  begin: StreamBegin,
  tosnap: string,
  flags: RecvFlags,
): string | { error: string } {
  const toname = begin.toname;
  let chop: string;
  if (flags.istail || flags.isprefix) {
    if (tosnap.includes('@')) {
      return {
        error: `cannot receive: invalid argument - snapshot not allowed with ${flags.istail ? '-e' : '-d'}\n`,
      };
    }
    if (flags.istail) {
      const slash = begin.sendfs.lastIndexOf('/');
      chop = slash < 0 ? `/${toname}` : toname.slice(slash);
    } else {
      const slash = toname.indexOf('/');
      chop = toname.slice(slash >= 0 ? slash : toname.indexOf('@'));
    }
  } else if (!tosnap.includes('@')) {
    chop = toname.slice(begin.sendfs.length);
  } else {
    if (begin.replicate) {
      return {
        error: 'cannot receive: cannot specify snapshot name for multi-snapshot stream\n',
      };
    }
    chop = '';
  }
  const destsnap = tosnap + chop;
  if (datasetNameProblem(destsnap, 'snapshot')) return { error: 'cannot receive: invalid name\n' };
  return destsnap;
}

/** The destination checks of zfs_receive_one(), before the kernel is asked. */
export function checkTarget(
  state: HostState,
  hostRoot: string,
  begin: StreamBegin,
  destsnap: string,
  flags: RecvFlags,
  prefixLength: number,
): Target | { error: string } {
  const resuming = begin.resume !== undefined;
  const wantsNewFs = begin.fromguid === undefined && !resuming;
  const errbuf = wantsNewFs
    ? 'cannot receive new filesystem stream'
    : 'cannot receive incremental stream';
  const name = destsnap.slice(0, destsnap.indexOf('@'));
  const existing = getDataset(state, name);
  const target = { destsnap, name, errbuf, wantsNewFs, existing, hastoken: false };
  if (existing) {
    if (wantsNewFs) {
      if (!flags.force) {
        return {
          error: `${errbuf}: destination '${name}' exists\nmust specify -F to overwrite it\n`,
        };
      }
      const first = snapshotsOf(state, name)[0];
      if (first) {
        return {
          error: `${errbuf}: destination has snapshots (eg. ${first.name})\nmust destroy them to overwrite it\n`,
        };
      }
      if (existing.origin) {
        return {
          error: `${errbuf}: destination '${name}' is a clone\nmust destroy it to overwrite it\n`,
        };
      }
    }
    target.hastoken = existing.partial !== undefined || existing.recvClone !== undefined;
    return target;
  }
  if (!wantsNewFs || !name.includes('/'))
    return { error: `${errbuf}: destination '${name}' does not exist\n` };
  if (flags.isprefix && !flags.istail && !flags.dryrun)
    createParents(state, hostRoot, name, prefixLength);
  const parent = parentOf(name)!;
  const parentDs = getDataset(state, parent);
  if (!parentDs) {
    return {
      error: `cannot open '${parent}': dataset does not exist\n${errbuf}: unable to restore to destination\n`,
    };
  }
  if (parentDs.type !== 'filesystem')
    return { error: `${errbuf}: parent '${parent}' is not a filesystem\n` };
  return target;
}

/** create_parents(): -d makes the file systems between the target and the destination. */
function createParents(state: HostState, hostRoot: string, name: string, prefix: number): void {
  for (let at = name.indexOf('/', prefix + 1); at >= 0; at = name.indexOf('/', at + 1)) {
    const ancestor = name.slice(0, at);
    if (getDataset(state, ancestor)) continue;
    if (getDataset(state, parentOf(ancestor)!)?.type !== 'filesystem') return;
    addDataset(state, hostRoot, { name: ancestor, type: 'filesystem' });
  }
}
