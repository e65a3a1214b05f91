import { rmSync } from 'node:fs';
import type { CommandIo } from '../core/io.js';
import type { DatasetRecord, PartialReceive } from '../core/state-types.js';
import { nicebytes } from './zfs-format.js';
import { addDataset, mountDataset, removeDataset, snapshotsOf, zvolDevice } from './zfs-model.js';
import { applyReceivedProps, type PropOverrides } from './zfs-receive-props.js';
import type { RecvCtx } from './zfs-receive-section.js';
import { partialStateOf, resumeTokenOf } from './zfs-receive-state.js';
import type { Target } from './zfs-receive-target.js';
import type { StreamSection } from './zfs-stream.js';
import {
  copyData,
  fileLength,
  recvCloneDataPath,
  setLength,
  snapshotDataPath,
  writeRange,
} from './zvol-data.js';

/**
 * Where a section's records go and what is left when it ends: a new dataset takes the data
 * directly (inconsistent until the end), an existing one receives into its hidden `%recv`
 * clone, swapped in at the end (dmu_recv_end). A section that stops short keeps what arrived
 * with -s (DS_FIELD_RESUME_*) or drops everything this receive made.
 */
export function fail(io: CommandIo, text: string): number {
  io.err(text);
  return 1;
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

export function receiveData(
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
