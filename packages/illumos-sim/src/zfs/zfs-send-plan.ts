import type { DatasetRecord, HostState } from '../core/state-types.js';
import { nicebytes } from './zfs-format.js';
import { getDataset, parentOf, snapshotsOf, zvolDevice } from './zfs-model.js';
import type { SpaceCalculator } from './zfs-space.js';
import type { StreamBegin, StreamWriter } from './zfs-stream.js';
import { changedBytes, dataChunks, fileLength, snapshotDataPath } from './zvol-data.js';

/**
 * What one `zfs send` puts in its stream, section by section: a full or incremental stream of
 * one snapshot (dump_snapshot in libzfs_sendrecv.c), with its estimated size for `-v`/`-P`.
 */
export interface SendStep {
  snap: DatasetRecord;
  /** The incremental source, when there is one. */
  from?: DatasetRecord;
  /** What send_print_verbose() prints as the source: a short name, or a full one (-t). */
  fromLabel?: string;
  estimate: number;
  /** Where the bytes are when they are not a snapshot's (`zfs send` of a live volume). */
  dataPath?: string;
}

export interface SendContext {
  root: string;
  hostRoot: string;
  state: HostState;
  space: SpaceCalculator;
}

/** Bytes an incremental carries: the changed chunks of a volume, grown references otherwise. */
export function estimateSize(ctx: SendContext, snap: DatasetRecord, from?: DatasetRecord): number {
  if (!from) return ctx.space.referenced(snap);
  if (snap.volsize !== undefined) {
    return changedBytes(snapshotDataPath(ctx.root, snap), snapshotDataPath(ctx.root, from));
  }
  return Math.max(0, snap.referenced - from.referenced);
}

/** Locally set properties, as send_iterate_prop() gathers them for -p and -R. */
export function sentProps(fs: DatasetRecord): Record<string, string> {
  return { ...fs.props };
}

export interface SectionOptions {
  sendfs: string;
  props?: Record<string, string>;
  replicate?: boolean;
  resume?: { object: number; offset: number; bytes: number };
}

/** Writes one snapshot's section: its BEGIN, its data records, its END. */
export function writeSection(
  ctx: SendContext,
  out: StreamWriter,
  step: SendStep,
  options: SectionOptions,
): void {
  const { snap, from } = step;
  const fs = getDataset(ctx.state, parentOf(snap.name)!);
  const isVolume = snap.volsize !== undefined;
  const data = isVolume ? (step.dataPath ?? snapshotDataPath(ctx.root, snap)) : undefined;
  const begin: StreamBegin = {
    toname: snap.name,
    toguid: snap.guid,
    type: isVolume ? 'volume' : 'filesystem',
    creation: snap.creation,
    referenced: snap.referenced,
    length: data ? fileLength(data) : 0,
    sendfs: options.sendfs,
  };
  if (from) begin.fromguid = from.guid;
  if (isVolume) {
    begin.volsize = snap.volsize!;
    begin.volblocksize = snap.volblocksize ?? fs?.volblocksize ?? 8192;
  }
  if (options.props) begin.props = options.props;
  if (options.replicate) begin.replicate = true;
  if (options.resume) begin.resume = options.resume;
  out.begin(begin);
  if (data) {
    const base = from ? snapshotDataPath(ctx.root, from) : undefined;
    for (const chunk of dataChunks(data, options.resume?.offset ?? 0, base)) {
      out.write(chunk.offset, chunk.data, chunk.length);
    }
  }
  out.end();
}

/**
 * The snapshots of `fs` a send covers, oldest first: with `doall` (-I, -R) every snapshot from
 * `from` (exclusive; from the first one without it) up to `to`, else just `to` from `from`.
 */
export function stepsFor(
  ctx: SendContext,
  fs: string,
  toShort: string,
  fromShort: string | undefined,
  doall: boolean,
): SendStep[] | { missing: 'to' | 'from' | 'order' } {
  const snaps = snapshotsOf(ctx.state, fs);
  const to = snaps.find((s) => s.name === `${fs}@${toShort}`);
  if (!to) return { missing: 'to' };
  let fromIndex = -1;
  if (fromShort !== undefined) {
    fromIndex = snaps.findIndex((s) => s.name === `${fs}@${fromShort}`);
    if (fromIndex < 0) return { missing: 'from' };
    if (snaps[fromIndex]!.createtxg >= to.createtxg) return { missing: 'order' };
  }
  const toIndex = snaps.indexOf(to);
  const chain = doall ? snaps.slice(fromIndex + 1, toIndex + 1) : [to];
  const steps: SendStep[] = [];
  let prev = fromIndex >= 0 ? snaps[fromIndex] : undefined;
  for (const snap of chain) {
    steps.push({
      snap,
      ...(prev ? { from: prev, fromLabel: prev.name.slice(prev.name.indexOf('@') + 1) } : {}),
      estimate: estimateSize(ctx, snap, prev),
    });
    prev = snap;
  }
  return steps;
}

/**
 * `zfs send fs` without a snapshot (zfs_send_one): the dataset as it is now, named
 * `fs@--head--` in the stream (dmu_send_impl), its guid the dataset's own.
 */
export function headStep(ctx: SendContext, fs: DatasetRecord): SendStep {
  const snap: DatasetRecord = {
    ...fs,
    name: `${fs.name}@--head--`,
    type: 'snapshot',
    referenced: ctx.space.referenced(fs),
  };
  return {
    snap,
    estimate: snap.referenced,
    ...(fs.type === 'volume' ? { dataPath: zvolDevice(ctx.hostRoot, fs.name) } : {}),
  };
}

export interface SendFlags {
  verbose: boolean;
  parsable: boolean;
  dryrun: boolean;
  progress: boolean;
}

/** send_print_verbose(). */
export function verboseLine(step: SendStep, parsable: boolean): string {
  const to = step.snap.name;
  const from = step.fromLabel;
  let line: string;
  if (parsable) line = from !== undefined ? `incremental\t${from}\t${to}` : `full\t${to}`;
  else if (from !== undefined)
    line = from.includes('@') ? `send from ${from} to ${to}` : `send from @${from} to ${to}`;
  else line = `full send of ${to}`;
  if (step.estimate !== 0)
    line += parsable ? `\t${step.estimate}` : ` estimated size is ${nicebytes(step.estimate)}`;
  return `${line}\n`;
}
