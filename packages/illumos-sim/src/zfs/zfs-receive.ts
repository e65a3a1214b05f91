import { getopt } from '../core/getopt.js';
import { CommandExit, type CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { getDataset } from './zfs-model.js';
import { abortResumable } from './zfs-receive-abort.js';
import { type CmdProps, checkCmdProps } from './zfs-receive-props.js';
import { type RecvCtx, receiveSection } from './zfs-receive-section.js';
import type { RecvFlags } from './zfs-receive-target.js';
import { parseStream } from './zfs-stream.js';
import { zfsUsage, zfsUsageText } from './zfs-usage.js';

/**
 * `zfs receive` as zfs_do_receive() (zfs_main.c) and zfs_receive() (libzfs_sendrecv.c) run
 * it: -F, -d/-e, -n, -u, -v, -s (resumable), -A (abort a resumable receive), -h (accepted:
 * the simulator keeps no holds), -o prop=value and -x prop, and -o origin=snapshot (checked
 * to exist; the received dataset is not made a clone of it). Sections are received in order
 * and the first failure ends the command.
 */
export async function zfsReceive(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'o:x:dehnuvFsA');
  const cmd: CmdProps = [];
  for (const [flag, value] of opts.list) {
    if (flag !== 'o' && flag !== 'x') continue;
    const problem = flag === 'o' ? addSetting(cmd, value!) : addExclusion(cmd, value!);
    if (problem) zfsUsage('receive', problem);
  }
  const flags: RecvFlags = {
    force: opts.flags.has('F'),
    dryrun: opts.flags.has('n'),
    verbose: opts.flags.has('v'),
    nomount: opts.flags.has('u'),
    resumable: opts.flags.has('s'),
    isprefix: opts.flags.has('d') || opts.flags.has('e'),
    istail: opts.flags.has('e'),
  };
  if (opts.operands.length < 1) zfsUsage('receive', 'missing snapshot argument');
  if (opts.operands.length > 1) zfsUsage('receive', 'too many arguments');
  const tosnap = opts.operands[0]!;
  if (opts.flags.has('A')) {
    if (flags.isprefix || flags.dryrun || flags.resumable || flags.nomount) {
      // zfs_do_receive() prints this without a newline before the usage
      throw new CommandExit(2, `invalid option${zfsUsageText('receive')}`);
    }
    return abortResumable(io, tosnap);
  }
  if (io.stdinIsTty) {
    io.err(
      'Error: Backup stream can not be read from a terminal.\nYou must redirect standard input.\n',
    );
    return 1;
  }
  const bad = checkCmdProps(cmd);
  if (bad) {
    io.err(`cannot receive: ${bad}\n`);
    return 1;
  }
  const stream = parseStream(await io.readStdin());
  return updateState(io.root, (state) => {
    if (flags.isprefix && !getDataset(state, tosnap)) {
      io.err(`cannot receive: specified fs (${tosnap}) does not exist\n`);
      return 1;
    }
    const origin = cmd.find((c) => c.name === 'origin')?.value;
    if (origin !== undefined && !getDataset(state, origin)) {
      io.err(`cannot receive: specified origin fs (${origin}) does not exist\n`);
      return 1;
    }
    if (!stream.ok) {
      io.err(
        stream.error === 'read'
          ? 'cannot receive: failed to read from stream\n'
          : 'cannot receive: invalid stream (bad magic number)\n',
      );
      return 1;
    }
    const ctx: RecvCtx = { io, state, flags, tosnap, cmd };
    for (const section of stream.sections) {
      const status = receiveSection(ctx, section);
      if (status !== 0) return status;
    }
    return 0;
  });
}

/** parseprop(): `-o name=value`. */
function addSetting(cmd: CmdProps, arg: string): string | undefined {
  const eq = arg.indexOf('=');
  if (eq < 0) return "missing '=' for property=value argument";
  const name = arg.slice(0, eq);
  if (cmd.some((c) => c.name === name)) return `property '${name}' specified multiple times`;
  cmd.push({ name, value: arg.slice(eq + 1) });
  return undefined;
}

/** parsepropname(): `-x name`. */
function addExclusion(cmd: CmdProps, name: string): string | undefined {
  if (name.includes('=')) return "invalid character '=' in property argument";
  if (cmd.some((c) => c.name === name)) return `property '${name}' specified multiple times`;
  cmd.push({ name, value: undefined });
  return undefined;
}
