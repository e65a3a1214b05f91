import type { CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { DatasetRecord, HostState } from '../core/state-types.js';
import { decodeResumeToken, printResumeFields } from './resume-token.js';
import { getDataset, poolOf } from './zfs-model.js';
import {
  estimateSize,
  type SendContext,
  type SendFlags,
  verboseLine,
  writeSection,
} from './zfs-send-plan.js';
import { SpaceCalculator } from './zfs-space.js';
import { StreamWriter } from './zfs-stream.js';

/**
 * `zfs send -t TOKEN` as zfs_send_resume() (libzfs_sendrecv.c) runs it: the token names the
 * snapshot by name and guid; the guid must still be found in that pool (a snapshot destroyed,
 * or destroyed and made again under the same name, ends it), as must an incremental source.
 * The stream starts where the receiver stopped. -v prints the token's contents first.
 */
export function resumeSend(io: CommandIo, token: string, flags: SendFlags): number {
  const fields = decodeResumeToken(token);
  if ('error' in fields) {
    io.err(`cannot resume send: ${fields.error}\n`);
    return 1;
  }
  const report = flags.verbose && flags.dryrun ? io.out : io.err;
  if (flags.verbose) report(`resume token contents:\n${printResumeFields(fields)}`);
  const state = readState(io.root);
  const snap = findByGuid(state, fields.toname, fields.toguid);
  if (!snap) {
    const why = getDataset(state, fields.toname)
      ? `'${fields.toname}' is no longer the same snapshot used in the initial send`
      : `'${fields.toname}' used in the initial send no longer exists`;
    io.err(`cannot resume send: ${why}\n`);
    return 1;
  }
  let from: DatasetRecord | undefined;
  if (fields.fromguid !== undefined) {
    from = findByGuid(state, fields.toname, fields.fromguid);
    if (!from) {
      io.err(
        `cannot resume send: incremental source 0x${BigInt(fields.fromguid).toString(16)} no longer exists\n`,
      );
      return 1;
    }
  }
  const ctx: SendContext = {
    root: io.root,
    hostRoot: io.hostRoot,
    state,
    space: new SpaceCalculator(state, io.hostRoot),
  };
  const step = {
    snap,
    ...(from ? { from, fromLabel: from.name } : {}),
    estimate: Math.max(0, estimateSize(ctx, snap, from) - fields.bytes),
  };
  if (flags.verbose) report(verboseLine(step, flags.parsable));
  if (flags.dryrun) return 0;
  if (flags.progress && !flags.parsable) io.err('TIME        SENT   SNAPSHOT\n');
  const out = new StreamWriter();
  writeSection(ctx, out, step, {
    sendfs: snap.name.slice(0, snap.name.indexOf('@')),
    resume: { object: fields.object, offset: fields.offset, bytes: fields.bytes },
  });
  io.out(out.finish());
  return 0;
}

/** guid_to_name(): the snapshot with that guid in the named dataset's pool. */
function findByGuid(state: HostState, near: string, guid: string): DatasetRecord | undefined {
  const pool = poolOf(near);
  const fs = near.split('@')[0]!;
  const candidates = Object.values(state.datasets).filter(
    (d) => d.type === 'snapshot' && d.guid === guid && poolOf(d.name) === pool,
  );
  return candidates.find((d) => d.name.startsWith(`${fs}@`)) ?? candidates[0];
}
