import { getopt, lastValue } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { DatasetRecord } from '../core/state-types.js';
import { zoneHoldingZvol, zoneUsingPath } from '../zones/zone-usage.js';
import { nicebytes } from './zfs-format.js';
import { descendantsOf, getDataset, mountpointOf } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import {
  headStep,
  type SendContext,
  type SendFlags,
  sentProps,
  stepsFor,
  verboseLine,
  writeSection,
} from './zfs-send-plan.js';
import { resumeSend } from './zfs-send-resume.js';
import { SpaceCalculator } from './zfs-space.js';
import { StreamWriter } from './zfs-stream.js';
import { zfsUsage } from './zfs-usage.js';

/**
 * `zfs send` as zfs_do_send() (zfs_main.c) and zfs_send() (libzfs_sendrecv.c) run it: a full
 * or incremental (-i, or -I with every snapshot between) stream of a snapshot, -R for the file
 * system and all its descendants with every snapshot up to the named one, -p/-R with
 * properties, -t to resume an interrupted receive. -v/-P print the estimates first (to stdout
 * with -n, else stderr), then -v's progress header for each snapshot it sends.
 */
export function zfsSend(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'i:I:RDpvnPLeht:cwb');
  const incr = opts.values.get('i') ?? [];
  const all = opts.values.get('I') ?? [];
  if (incr.length + all.length > 1) zfsUsage('send');
  const fromArg = incr[0] ?? all[0];
  const doallFlag = all.length > 0;
  const flags: SendFlags = {
    verbose: opts.flags.has('v') || opts.flags.has('P'),
    parsable: opts.flags.has('P'),
    dryrun: opts.flags.has('n'),
    progress: opts.flags.has('v'),
  };
  const token = lastValue(opts, 't');
  const has = (f: string) => opts.flags.has(f);
  if (token !== undefined) {
    if (fromArg !== undefined || has('R') || has('p') || has('b') || has('D'))
      zfsUsage('send', 'invalid flags combined with -t');
    if (opts.operands.length !== 0)
      zfsUsage('send', 'no additional arguments are permitted with -t');
    return resumeSend(io, token, flags);
  }
  if (opts.operands.length < 1) zfsUsage('send', 'missing snapshot argument');
  if (opts.operands.length > 1) zfsUsage('send', 'too many arguments');
  const target = opts.operands[0]!;
  const state = readState(io.root);
  const ctx: SendContext = {
    root: io.root,
    hostRoot: io.hostRoot,
    state,
    space: new SpaceCalculator(state, io.hostRoot),
  };
  if (!target.includes('@') || fromArg?.includes('#')) {
    const unsupported = ['R', 'p', 'b', 'D', 'h', 'n', 'v', 'P'].some(has) || doallFlag;
    if (unsupported) {
      io.err('Error: Unsupported flag with filesystem or bookmark.\n');
      return 1;
    }
    return sendLive(io, ctx, target);
  }
  const fsName = target.slice(0, target.indexOf('@'));
  const toShort = target.slice(target.indexOf('@') + 1);
  const fs = openFs(io, ctx, fsName);
  if (!fs) return 1;
  let fromShort = fromArg;
  if (fromShort?.includes('@')) {
    const at = fromShort.indexOf('@');
    if (at > 0 && fromShort.slice(0, at) !== fsName)
      zfsUsage('send', 'incremental source must be in same filesystem');
    fromShort = fromShort.slice(at + 1);
    if (fromShort.includes('@') || fromShort.includes('/'))
      zfsUsage('send', 'invalid incremental source');
  }
  if (fromShort === '') {
    io.err(`cannot send '${fsName}': zero-length incremental source\n`);
    return 1;
  }
  const replicate = has('R');
  const doall = doallFlag || (replicate && fromShort === undefined);
  const withProps = replicate || has('p');
  const filesystems = replicate
    ? [
        fs,
        ...descendantsOf(state, fsName)
          .filter((d) => d.type !== 'snapshot')
          .reverse(),
      ]
    : [fs];
  const plan = filesystems.map((each) => ({
    fs: each,
    steps: stepsFor(ctx, each.name, toShort, fromShort, doall),
  }));
  const seen = plan.some((p) => !('missing' in p.steps));
  const failed = plan.some((p) => 'missing' in p.steps);
  // zfs_send() walks the file systems twice when it prints estimates or takes holds (-I, -R):
  // a dry pass, then the real one; dump_filesystem() warns in each
  const report = flags.dryrun ? io.out : io.err;
  if (flags.verbose || ((doall || replicate) && !flags.dryrun)) {
    let total = 0;
    for (const { fs: each, steps } of plan) {
      if ('missing' in steps) {
        io.err(missingWarning(each.name, toShort, fromShort, steps.missing));
        continue;
      }
      if (!flags.verbose) continue;
      for (const step of steps) {
        report(verboseLine(step, flags.parsable));
        total += step.estimate;
      }
    }
    if (flags.verbose)
      report(flags.parsable ? `size\t${total}\n` : `total estimated size is ${nicebytes(total)}\n`);
    if (!seen) return 1;
    if (flags.dryrun) return failed ? 1 : 0;
  }
  const out = new StreamWriter();
  for (const { fs: each, steps } of plan) {
    if ('missing' in steps) {
      io.err(missingWarning(each.name, toShort, fromShort, steps.missing));
      continue;
    }
    for (const step of steps) {
      if (flags.progress && !flags.parsable) io.err('TIME        SENT   SNAPSHOT\n');
      writeSection(ctx, out, step, {
        sendfs: fsName,
        ...(withProps ? { props: sentProps(each) } : {}),
        ...(replicate ? { replicate: true } : {}),
      });
    }
  }
  if (seen) io.out(out.finish());
  return failed || !seen ? 1 : 0;
}

function openFs(io: CommandIo, ctx: SendContext, name: string): DatasetRecord | undefined {
  const problem = datasetNameProblem(name, 'dataset');
  const fs = problem ? undefined : getDataset(ctx.state, name);
  if (!fs) io.err(`cannot open '${name}': ${problem ?? 'dataset does not exist'}\n`);
  return fs;
}

/** dump_filesystem()'s warnings for a file system whose snapshots do not line up. */
function missingWarning(
  fs: string,
  to: string,
  from: string | undefined,
  missing: 'to' | 'from' | 'order',
): string {
  if (missing === 'to') return `WARNING: could not send ${fs}@${to}: does not exist\n`;
  if (missing === 'from')
    return `WARNING: could not send ${fs}@${to}:\nincremental source (${fs}@${from}) does not exist\n`;
  return `WARNING: could not send ${fs}@${to}:\nincremental source (${fs}@${from}) is not earlier than it\n`;
}

/** zfs_send_one() of a file system or volume itself: refused while it is in use. */
function sendLive(io: CommandIo, ctx: SendContext, name: string): number {
  const fs = openFs(io, ctx, name);
  if (!fs) return 1;
  const mp = fs.type === 'filesystem' ? mountpointOf(ctx.state, fs.name).value : '';
  const mounted = fs.type === 'filesystem' && mp.startsWith('/') && !fs.unmounted;
  const busy =
    mounted ||
    (fs.type === 'volume' && zoneHoldingZvol(ctx.state, fs.name) !== undefined) ||
    (mounted && zoneUsingPath(ctx.state, mp) !== undefined);
  if (busy) {
    io.err(
      `warning: cannot send '${name}': target is busy; if a filesystem, it must not be mounted\n`,
    );
    return 1;
  }
  const out = new StreamWriter();
  writeSection(ctx, out, headStep(ctx, fs), { sendfs: fs.name });
  io.out(out.finish());
  return 0;
}
