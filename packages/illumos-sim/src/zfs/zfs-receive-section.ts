import type { CommandIo } from '../core/io.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import { zoneHoldingZvol } from '../zones/zone-usage.js';
import { getDataset, parentOf, snapshotsOf, zvolDevice } from './zfs-model.js';
import { fail, receiveData } from './zfs-receive-apply.js';
import { type CmdProps, setupCmdProps } from './zfs-receive-props.js';
import { partialStateOf, resumeObject } from './zfs-receive-state.js';
import {
  checkTarget,
  destinationSnapshot,
  type RecvFlags,
  type Target,
} from './zfs-receive-target.js';
import { SpaceCalculator } from './zfs-space.js';
import type { StreamSection } from './zfs-stream.js';
import { sameData, snapshotDataPath } from './zvol-data.js';

/**
 * One section of a stream into the host: zfs_receive_one() (libzfs_sendrecv.c) and the
 * kernel's checks (dmu_recv_begin_check, recv_begin_check_existing_impl, resume checks) in
 * their order, then the records. A new dataset takes the data directly and is inconsistent
 * until the end; an existing one receives into its hidden `%recv` clone, swapped in at the
 * end. A section that stops short (cut or damaged) is ECKSUM: with -s what arrived is kept
 * and its token printed, without it everything this receive made is dropped.
 */
export interface RecvCtx {
  io: CommandIo;
  state: HostState;
  flags: RecvFlags;
  tosnap: string;
  cmd: CmdProps;
  /** The first file system received (top_zfs): -o applies there, children inherit. */
  topFs?: string;
}

export function receiveSection(ctx: RecvCtx, section: StreamSection): number {
  const { io, state, flags } = ctx;
  const begin = section.begin;
  const dest = destinationSnapshot(begin, ctx.tosnap, flags);
  if (typeof dest !== 'string') return fail(io, dest.error);
  const target = checkTarget(state, io.hostRoot, begin, dest, flags, ctx.tosnap.length);
  if ('error' in target) return fail(io, target.error);
  if (flags.verbose) {
    io.out(
      `${flags.dryrun ? 'would receive' : 'receiving'} ${begin.fromguid ? 'incremental' : 'full'} stream of ${begin.toname} into ${target.destsnap}\n`,
    );
  }
  if (flags.dryrun) {
    return section.complete ? 0 : fail(io, 'cannot receive: failed to read from stream\n');
  }
  const toplevel = ctx.topFs === undefined || ctx.topFs === target.name;
  const overrides = setupCmdProps(
    ctx.cmd,
    begin.type,
    begin.replicate === true,
    toplevel,
    target.errbuf,
  );
  if ('error' in overrides) return fail(io, overrides.error);
  const refusal = kernelRefusal(ctx, section, target);
  if (refusal === 'skip') {
    if (flags.verbose) io.out(`snap ${target.destsnap} already exists; ignoring\n`);
    return 0;
  }
  if (refusal) return fail(io, refusal);
  ctx.topFs ??= target.name;
  return receiveData(ctx, section, target, overrides);
}

/** What the kernel refuses before any data moves; 'skip' for a snapshot already here. */
function kernelRefusal(
  ctx: RecvCtx,
  section: StreamSection,
  t: Target,
): string | 'skip' | undefined {
  const { state, io } = ctx;
  const begin = section.begin;
  const fs = t.existing;
  const busyToken = `${t.errbuf}: destination ${t.name} contains partially-complete state from "zfs receive -s".\n`;
  if (begin.resume) {
    const saved = fs ? partialStateOf(fs) : undefined;
    const matches =
      saved !== undefined &&
      saved.toguid === begin.toguid &&
      saved.offset === begin.resume.offset &&
      resumeObject(saved) === begin.resume.object &&
      (saved.fromguid ?? '') === (begin.fromguid ?? '');
    return matches ? undefined : `${t.errbuf}: invalid backup stream\n`;
  }
  if (!fs) {
    const parent = getDataset(state, parentOf(t.name)!)!;
    const space = new SpaceCalculator(state, io.hostRoot);
    return begin.referenced > space.available(parent) ? `${t.errbuf}: out of space\n` : undefined;
  }
  if (fs.recvClone) return busyToken;
  if (getDataset(state, t.destsnap)) {
    // EEXIST: zfs_receive_one() consumes the stream when the snapshot is already the same one
    if (snapshotsOf(state, fs.name).some((s) => s.guid === begin.toguid)) return 'skip';
    return `cannot restore to ${t.wantsNewFs ? t.name : t.destsnap}: destination already exists\n`;
  }
  if (fs.partial) return busyToken;
  const busy = fs.type === 'volume' && zoneHoldingZvol(state, fs.name) !== undefined;
  if (t.wantsNewFs) {
    if (fs.type !== begin.type) return `${t.errbuf}: invalid backup stream\n`;
    return busy ? `${t.errbuf}: dataset is busy\n` : undefined;
  }
  const latest = snapshotsOf(state, fs.name).at(-1);
  if (!latest || latest.guid !== begin.fromguid)
    return `${t.errbuf}: most recent snapshot of ${t.name} does not\nmatch incremental source\n`;
  if (!ctx.flags.force && modifiedSince(io, fs, latest))
    return `${t.errbuf}: destination ${t.name} has been modified\nsince most recent snapshot\n`;
  return busy ? `${t.errbuf}: dataset is busy\n` : undefined;
}

/** Whether a volume's bytes differ from its latest snapshot's (file data is not tracked). */
function modifiedSince(io: CommandIo, fs: DatasetRecord, latest: DatasetRecord): boolean {
  if (fs.type !== 'volume') return false;
  return !sameData(zvolDevice(io.hostRoot, fs.name), snapshotDataPath(io.root, latest));
}
