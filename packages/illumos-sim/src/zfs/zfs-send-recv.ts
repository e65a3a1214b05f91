import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getopt, lastValue } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { readState, updateState } from '../core/state-store.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import {
  addDataset,
  descendantsOf,
  getDataset,
  parentOf,
  removeDataset,
  snapshotDataPath,
  snapshotsOf,
  zvolDevice,
} from './zfs-model.js';
import { SpaceCalculator } from './zfs-space.js';
import { zfsUsage } from './zfs-usage.js';

/**
 * `zfs send` / `zfs receive` with the simulator's own stream format, so images and host-to-host
 * copies travel end to end through stdout and stdin:
 *
 *   APIARY-SIM-ZSTREAM 1\n
 *   {"records":[{name, type, snapshot, guid, from_guid?, volsize?, volblocksize?, referenced,
 *                props, data? (base64 of a volume's bytes)}]}\n
 *   END\n
 *
 * Snapshot guids survive the trip, so an incremental stream applies only on top of the same
 * snapshot it was made from, as with real ZFS. File system contents are not carried (only
 * their properties and size): the simulator keeps no file data in datasets but volumes.
 */
export const STREAM_MAGIC = 'APIARY-SIM-ZSTREAM 1';

interface StreamRecord {
  name: string;
  type: 'filesystem' | 'volume';
  snapshot: string;
  guid: string;
  from_guid?: string;
  volsize?: number;
  volblocksize?: number;
  referenced: number;
  props: Record<string, string>;
  data?: string;
}

export function zfsSend(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'DnPpRvLecri:I:');
  if (opts.operands.length !== 1)
    zfsUsage(
      'send',
      opts.operands.length === 0 ? 'missing snapshot argument' : 'too many arguments',
    );
  const target = opts.operands[0]!;
  const state = readState(io.root);
  const snap = getDataset(state, target);
  if (!snap) {
    io.err(`cannot open '${target}': dataset does not exist\n`);
    return 1;
  }
  if (snap.type !== 'snapshot') {
    io.err(`Error: Unsupported flag with filesystem or bookmark.\n`);
    return 1;
  }
  const from = lastValue(opts, 'i') ?? lastValue(opts, 'I');
  const [fs, short] = target.split('@') as [string, string];
  let fromSnap: DatasetRecord | undefined;
  if (from !== undefined) {
    const fromName = from.startsWith('@') ? `${fs}${from}` : from;
    fromSnap = getDataset(state, fromName);
    if (!fromSnap) {
      io.err(`cannot open '${fromName}': dataset does not exist\n`);
      return 1;
    }
  }
  const sources = [snap];
  if (opts.flags.has('R')) {
    for (const d of descendantsOf(state, fs).reverse()) {
      if (d.type === 'snapshot') continue;
      const s = getDataset(state, `${d.name}@${short}`);
      if (s) sources.push(s);
    }
  }
  const withProps = opts.flags.has('p') || opts.flags.has('R');
  const records = sources.map((s) =>
    toRecord(io, state, s, s === snap ? fromSnap : undefined, withProps),
  );
  const size = records.reduce((n, r) => n + r.referenced, 0);
  if (opts.flags.has('P'))
    io.err(`${fromSnap ? 'incremental' : 'full'}\t${target}\t${size}\nsize\t${size}\n`);
  else if (opts.flags.has('v') || opts.flags.has('n')) {
    io.err(
      `${fromSnap ? 'incremental' : 'full'} send of ${target} estimated size is ${size}\ntotal estimated size is ${size}\n`,
    );
  }
  if (opts.flags.has('n')) return 0;
  io.out(`${STREAM_MAGIC}\n${JSON.stringify({ records })}\nEND\n`);
  return 0;
}

function toRecord(
  io: CommandIo,
  state: HostState,
  snap: DatasetRecord,
  from: DatasetRecord | undefined,
  withProps: boolean,
): StreamRecord {
  const live = getDataset(state, parentOf(snap.name)!)!;
  const props: Record<string, string> = {};
  if (withProps)
    for (const [k, v] of Object.entries(live.props)) if (k !== 'refreservation') props[k] = v;
  const record: StreamRecord = {
    name: live.name,
    type: live.type === 'volume' ? 'volume' : 'filesystem',
    snapshot: snap.name.split('@')[1]!,
    guid: snap.guid,
    referenced: snap.referenced,
    props,
  };
  if (from) record.from_guid = from.guid;
  if (live.type === 'volume') {
    record.volsize = snap.volsize ?? live.volsize!;
    record.volblocksize = live.volblocksize!;
    const path = snapshotDataPath(io.root, snap.guid);
    if (existsSync(path)) record.data = readFileSync(path).toString('base64');
  }
  return record;
}

function parseStream(buf: Buffer): StreamRecord[] | string {
  if (buf.length === 0) return 'failed to read from stream';
  const text = buf.toString('utf8');
  const first = text.indexOf('\n');
  if (first < 0 || text.slice(0, first) !== STREAM_MAGIC)
    return 'invalid stream (bad magic number)';
  const second = text.indexOf('\n', first + 1);
  if (second < 0 || !text.slice(second + 1).startsWith('END'))
    return 'invalid stream (checksum mismatch)';
  try {
    const parsed = JSON.parse(text.slice(first + 1, second)) as { records: StreamRecord[] };
    if (!Array.isArray(parsed.records) || parsed.records.length === 0)
      return 'invalid stream (bad header)';
    return parsed.records;
  } catch {
    return 'invalid stream (checksum mismatch)';
  }
}

export async function zfsReceive(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'vnsFudeo:x:');
  if (opts.operands.length !== 1)
    zfsUsage(
      'receive',
      opts.operands.length === 0 ? 'missing snapshot argument' : 'too many arguments',
    );
  const target = opts.operands[0]!;
  const parsed = parseStream(await io.readStdin());
  if (typeof parsed === 'string') {
    io.err(`cannot receive: ${parsed}\n`);
    return 1;
  }
  return updateState(io.root, (state) => {
    const top = parsed[0]!;
    for (const record of parsed) {
      const dest = destination(target, record, top, opts.flags);
      const problem = receiveOne(io, state, record, dest, opts.flags);
      if (problem) {
        io.err(problem);
        return 1;
      }
    }
    return 0;
  });
}

function destination(
  target: string,
  record: StreamRecord,
  top: StreamRecord,
  flags: Set<string>,
): { fs: string; snap: string } {
  const [tfs, tsnap] = target.split('@') as [string, string | undefined];
  const below = record.name.slice(top.name.length);
  if (flags.has('d')) {
    const withoutPool = record.name.split('/').slice(1).join('/');
    return { fs: withoutPool ? `${tfs}/${withoutPool}` : tfs, snap: record.snapshot };
  }
  if (flags.has('e')) {
    const last = top.name.split('/').pop()!;
    return { fs: `${tfs}/${last}${below}`, snap: record.snapshot };
  }
  return { fs: `${tfs}${below}`, snap: record === top && tsnap ? tsnap : record.snapshot };
}

function receiveOne(
  io: CommandIo,
  state: HostState,
  record: StreamRecord,
  dest: { fs: string; snap: string },
  flags: Set<string>,
): string | undefined {
  const existing = getDataset(state, dest.fs);
  const snapName = `${dest.fs}@${dest.snap}`;
  if (flags.has('v')) {
    io.out(
      `receiving ${record.from_guid ? 'incremental' : 'full'} stream of ${record.name}@${record.snapshot} into ${snapName}\n`,
    );
  }
  if (record.from_guid) {
    if (!existing)
      return `cannot receive incremental stream: destination '${dest.fs}' does not exist\n`;
    const latest = snapshotsOf(state, dest.fs).pop();
    if (!latest || latest.guid !== record.from_guid) {
      return `cannot receive incremental stream: most recent snapshot of ${dest.fs} does not\nmatch incremental source\n`;
    }
    if (getDataset(state, snapName))
      return `cannot receive incremental stream: destination ${snapName} exists\n`;
    if (flags.has('n')) return undefined;
    applyData(io, state, existing, record);
    return undefined;
  }
  if (existing) {
    if (!flags.has('F')) {
      return `cannot receive new filesystem stream: destination '${dest.fs}' exists\nmust specify -F to overwrite it\n`;
    }
    if (flags.has('n')) return undefined;
    for (const d of [...descendantsOf(state, dest.fs), existing])
      removeDataset(state, io.root, io.hostRoot, d.name);
  }
  const parent = parentOf(dest.fs);
  if ((flags.has('d') || flags.has('e')) && parent !== undefined && !getDataset(state, parent)) {
    // -d/-e create the intermediate file systems below the target (zfs(8))
    const parts = dest.fs.split('/');
    for (let i = 2; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join('/');
      if (
        !getDataset(state, ancestor) &&
        getDataset(state, parentOf(ancestor)!)?.type === 'filesystem'
      ) {
        addDataset(state, io.hostRoot, { name: ancestor, type: 'filesystem' });
      }
    }
  }
  if (parent !== undefined && getDataset(state, parent)?.type !== 'filesystem') {
    return `cannot receive new filesystem stream: parent of '${dest.fs}' does not exist\n`;
  }
  if (!state.pools.some((p) => p.name === dest.fs.split('/')[0])) {
    return `cannot receive: no such pool '${dest.fs.split('/')[0]}'\n`;
  }
  if (flags.has('n')) return undefined;
  return createReceived(io, state, record, dest.fs, flags);
}

function createReceived(
  io: CommandIo,
  state: HostState,
  record: StreamRecord,
  fs: string,
  flags: Set<string>,
): string | undefined {
  const space = new SpaceCalculator(state, io.hostRoot);
  const parent = parentOf(fs);
  const parentDs = parent ? getDataset(state, parent) : undefined;
  if (parentDs && record.referenced > space.available(parentDs)) {
    return 'cannot receive new filesystem stream: out of space\n';
  }
  const ds = addDataset(state, io.hostRoot, {
    name: fs,
    type: record.type,
    referenced: record.referenced,
    unique: record.referenced,
    ...(record.type === 'volume'
      ? { volsize: record.volsize!, volblocksize: record.volblocksize! }
      : {}),
  });
  if (Object.keys(record.props).length > 0) ds.received = { ...record.props };
  if (flags.has('u') && record.type === 'filesystem') ds.props.canmount ??= 'on';
  applyData(io, state, ds, record, `${fs}@${record.snapshot}`);
  return undefined;
}

function applyData(
  io: CommandIo,
  state: HostState,
  ds: DatasetRecord,
  record: StreamRecord,
  snapName?: string,
): void {
  const data = record.data ? Buffer.from(record.data, 'base64') : undefined;
  if (ds.type === 'volume') writeFileSync(zvolDevice(io.hostRoot, ds.name), data ?? '');
  else ds.referenced = record.referenced;
  const name = snapName ?? `${ds.name}@${record.snapshot}`;
  const snap = addDataset(state, io.hostRoot, {
    name,
    type: 'snapshot',
    referenced: record.referenced,
    unique: 0,
    ...(ds.type === 'volume'
      ? { volsize: record.volsize!, volblocksize: record.volblocksize! }
      : {}),
  });
  snap.guid = record.guid;
  if (data && data.length > 0) writeSnapData(io.root, snap.guid, data);
}

function writeSnapData(root: string, guid: string, data: Buffer): void {
  const path = snapshotDataPath(root, guid);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}
