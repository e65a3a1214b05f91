import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';
import { matchServices, SERVICES } from './services.js';

/** `svcs [-H] [-o state,fmri,stime] [FMRI...]` for the services the simulator models. */
export const svcs: CommandHandler = (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'aHo:pv');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(`svcs: ${error.message}\nUsage: svcs [-aHpv] [-o col[,col]...] [FMRI | pattern] ...\n`);
    return 2;
  }
  const state = readState(io.root);
  const cols = (lastValue(opts, 'o') ?? 'state,stime,fmri').split(',');
  for (const c of cols) {
    if (!['state', 'stime', 'fmri'].includes(c)) {
      io.err(`svcs: Unrecognized column "${c}".\n`);
      return 2;
    }
  }
  let status = 0;
  let list = SERVICES;
  if (opts.operands.length > 0) {
    list = [];
    for (const p of opts.operands) {
      const found = matchServices(p);
      if (found.length === 0) {
        io.err(`svcs: Pattern '${p}' doesn't match any instances\n`);
        status = 1;
      }
      list.push(...found);
    }
  }
  const widths: Record<string, number> = { state: 14, stime: 9, fmri: 0 };
  const stime = new Date(state.bootTime * 1000).toISOString().slice(11, 19);
  const row = (vals: Record<string, string>) =>
    `${cols.map((c, i) => (i === cols.length - 1 || opts.flags.has('H') ? vals[c]! : vals[c]!.padEnd(widths[c]!))).join(opts.flags.has('H') ? ' ' : '')}\n`;
  if (!opts.flags.has('H') && list.length > 0)
    io.out(row({ state: 'STATE', stime: 'STIME', fmri: 'FMRI' }));
  for (const svc of list) io.out(row({ state: svc.state(state), stime, fmri: svc.fmri }));
  return status;
};
