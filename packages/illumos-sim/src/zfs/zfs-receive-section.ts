import { rmSync } from 'node:fs';
import type { CommandIo } from '../core/io.js';
import type { DatasetRecord, HostState, PartialReceive } from '../core/state-types.js';
import { zoneHoldingZvol } from '../zones/zone-usage.js';
import { nicebytes } from './zfs-format.js';
import {
  addDataset,
  getDataset,
  mountDataset,
  parentOf,
  removeDataset,
  snapshotsOf,
  zvolDevice,
} from './zfs-model.js';
import {
  applyReceivedProps,
  type CmdProps,
  type PropOverrides,
  setupCmdProps,
} from './zfs-receive-props.js';
import { partialStateOf, resumeObject, resumeTokenOf } from './zfs-receive-state.js';
import {
  checkTarget,
  destinationSnapshot,
  type RecvFlags,
  type Target,
} from './zfs-receive-target.js';
import { SpaceCalculator } from './zfs-space.js';
import type { StreamSection } from './zfs-stream.js';
import {
  copyData,
  fileLength,
  recvCloneDataPath,
  sameData,
  setLength,
  snapshotDataPath,
  writeRange,
} from './zvol-data.js';

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

function fail(io: CommandIo, text: string): number {
  io.err(text);
  return 1;
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

interface Landing {
  ds: DatasetRecord;
  /** 'self': the dataset is new and takes the data; 'clone': it goes to `%recv` first. */
  into: 'self' | 'clone';
  saved: PartialReceive | undefined;
  dataPath: string | undefined;
}

function land(ctx: RecvCtx, section: StreamSection, t: Target): Landing {
  const { io, state } = ctx;
  const begin = section.begin;
  if (!t.existing) {
    const ds = addDataset(state, io.hostRoot, {
      name: t.name,
      type: begin.type,
      referenced: begin.referenced,
      unique: begin.referenced,
      unmounted: true,
      ...(begin.type === 'volume'
        ? { volsize: begin.volsize!, volblocksize: begin.volblocksize! }
        : {}),
    });
    const dataPath = begin.type === 'volume' ? zvolDevice(io.hostRoot, ds.name) : undefined;
    return { ds, into: 'self', saved: undefined, dataPath };
  }
  const ds = t.existing;
  const saved = begin.resume ? partialStateOf(ds) : undefined;
  const into = saved && !ds.recvClone ? 'self' : 'clone';
  const dataPath =
    begin.type !== 'volume'
      ? undefined
      : into === 'self'
        ? zvolDevice(io.hostRoot, ds.name)
        : recvCloneDataPath(io.root, ds);
  if (dataPath && !saved) {
    // a fresh %recv: an incremental starts from the latest snapshot, a full stream from nothing
    const latest = snapshotsOf(state, ds.name).at(-1);
    const base = begin.fromguid && latest ? snapshotDataPath(io.root, latest) : '';
    copyData(base, dataPath);
  }
  return { ds, into, saved, dataPath };
}

function receiveData(
  ctx: RecvCtx,
  section: StreamSection,
  t: Target,
  overrides: PropOverrides,
): number {
  const begin = section.begin;
  const landing = land(ctx, section, t);
  let offset = begin.resume?.offset ?? 0;
  for (const record of section.records) {
    const length = record.kind === 'W' ? record.data.length : record.length;
    if (landing.dataPath) {
      if (record.kind === 'W') writeRange(landing.dataPath, record.offset, record.data);
      else zeroRange(landing.dataPath, record.offset, length);
    }
    offset = record.offset + length;
  }
  const bytes = (begin.resume?.bytes ?? 0) + section.bytes;
  const state: PartialReceive = {
    toname: begin.toname,
    toguid: begin.toguid,
    ...(begin.fromguid !== undefined ? { fromguid: begin.fromguid } : {}),
    snapshot: t.destsnap.slice(t.destsnap.indexOf('@') + 1),
    type: begin.type,
    offset,
    bytes,
    length: begin.length,
    ...(begin.volsize !== undefined ? { volsize: begin.volsize } : {}),
    ...(begin.volblocksize !== undefined ? { volblocksize: begin.volblocksize } : {}),
    referenced: begin.referenced,
    props: begin.props ?? landing.saved?.props ?? {},
    overrides: { ...landing.saved?.overrides, ...overrides.local },
    excluded: [...(landing.saved?.excluded ?? []), ...overrides.excluded],
    creation: begin.creation,
  };
  if (!section.complete) return interrupted(ctx, t, landing, state);
  finish(ctx, t, landing, state, begin.props !== undefined || landing.saved !== undefined);
  if (ctx.flags.verbose) {
    const size = nicebytes(section.bytes);
    ctx.io.out(`received ${size} stream in 1 seconds (${size}/sec)\n`);
  }
  return 0;
}

function zeroRange(path: string, offset: number, length: number): void {
  const end = Math.min(offset + length, fileLength(path));
  if (end > offset) writeRange(path, offset, Buffer.alloc(end - offset));
}

/** ECKSUM: keep what arrived for `zfs send -t` (-s), or drop what this receive made. */
function interrupted(ctx: RecvCtx, t: Target, landing: Landing, state: PartialReceive): number {
  const { io } = ctx;
  const { ds } = landing;
  if (ctx.flags.resumable) {
    if (landing.into === 'self') ds.partial = state;
    else ds.recvClone = state;
    return fail(
      io,
      `${t.errbuf}: checksum mismatch or incomplete stream.\nPartially received snapshot is saved.\nA resuming stream can be generated on the sending system by running:\n    zfs send -t ${resumeTokenOf(ds)}\n`,
    );
  }
  if (landing.into === 'self') removeDataset(ctx.state, io.root, io.hostRoot, ds.name);
  else {
    delete ds.recvClone;
    rmSync(recvCloneDataPath(io.root, ds), { force: true });
  }
  return fail(io, `${t.errbuf}: checksum mismatch or incomplete stream\n`);
}

function finish(
  ctx: RecvCtx,
  t: Target,
  landing: Landing,
  state: PartialReceive,
  withProps: boolean,
): void {
  const { io } = ctx;
  const { ds, dataPath } = landing;
  if (dataPath) {
    setLength(dataPath, state.length);
    if (landing.into === 'clone') {
      copyData(dataPath, zvolDevice(io.hostRoot, ds.name));
      rmSync(dataPath, { force: true });
    }
  }
  if (state.volsize !== undefined) ds.volsize = state.volsize;
  if (state.volblocksize !== undefined) ds.volblocksize ??= state.volblocksize;
  ds.referenced = state.referenced;
  delete ds.partial;
  delete ds.recvClone;
  applyReceivedProps(ds, withProps ? state.props : undefined, {
    local: state.overrides,
    excluded: state.excluded,
  });
  const snap = addDataset(ctx.state, io.hostRoot, {
    name: t.destsnap,
    type: 'snapshot',
    referenced: state.referenced,
    unique: 0,
    ...(state.volsize !== undefined
      ? { volsize: state.volsize, volblocksize: ds.volblocksize ?? state.volblocksize! }
      : {}),
  });
  snap.guid = state.toguid;
  snap.creation = state.creation;
  if (ds.type === 'volume')
    copyData(zvolDevice(io.hostRoot, ds.name), snapshotDataPath(io.root, snap));
  if (ds.type === 'filesystem' && ds.unmounted && !ctx.flags.nomount) {
    delete ds.unmounted;
    mountDataset(ctx.state, io.hostRoot, ds.name);
  }
}
