import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';

/** `psrinfo [-p] [-t] [-v] [id...]`: every simulated CPU is on-line since boot. */
function since(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => `${n}`.padStart(2, '0');
  return `${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export const psrinfo: CommandHandler = (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'ptvcr');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(
      `psrinfo: ${error.message}\nusage: \n\tpsrinfo [-v] [-p] [processor_id ...]\n\tpsrinfo -s [-p] processor_id\n\tpsrinfo -t [-S <state>|-c|-p]\n`,
    );
    return 2;
  }
  const state = readState(io.root);
  if (opts.flags.has('t')) {
    io.out(`${opts.flags.has('p') ? 1 : state.cpus}\n`);
    return 0;
  }
  if (opts.flags.has('p') && !opts.flags.has('v')) {
    io.out('1\n');
    return 0;
  }
  const ids =
    opts.operands.length > 0 ? opts.operands : Array.from({ length: state.cpus }, (_, i) => `${i}`);
  for (const id of ids) {
    const n = Number(id);
    if (!/^\d+$/.test(id) || n >= state.cpus) {
      io.err(`psrinfo: processor ${id}: Invalid argument\n`);
      return 2;
    }
  }
  if (opts.flags.has('v')) {
    for (const id of ids) {
      io.out(
        `Status of virtual processor ${id} as of: ${since(Date.now() / 1000)}\n  on-line since ${since(state.bootTime)}.\n  The i386 processor operates at 2400 MHz,\n\tand has an i387 compatible floating point processor.\n`,
      );
    }
    return 0;
  }
  for (const id of ids) io.out(`${id}\ton-line   since ${since(state.bootTime)}\n`);
  return 0;
};
