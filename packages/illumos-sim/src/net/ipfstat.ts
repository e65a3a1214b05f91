import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';
import { instanceFor } from './ipf-instance.js';
import { renderRule } from './ipf-rules.js';

/**
 * `ipfstat [-io] [-R] [-h] [-n] [-G zone]`: the out list first, then the in list; an empty
 * list prints `empty list for ipfilter(out)` on stderr. -R keeps ports numeric.
 */
export const ipfstat: CommandHandler = (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'aAdfghIilnoRsStvG:z:M:N:P:D:T:', false);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err('usage: ipfstat [-aAdfghIilnoRsv] [-G|-z zonename]\n');
    return 1;
  }
  const zone = opts.values.get('G')?.at(-1) ?? opts.values.get('z')?.at(-1);
  const state = readState(io.root);
  const inst = instanceFor(state, zone);
  const numeric = opts.flags.has('R');
  const lists: Array<['out' | 'in', string[]]> = [];
  if (opts.flags.has('o')) lists.push(['out', inst.rulesOut]);
  if (opts.flags.has('i')) lists.push(['in', inst.rulesIn]);
  if (lists.length === 0) {
    io.out(
      `bad packets:\t\tin 0\tout 0\n input packets:\t\tblocked 0 passed 0 nomatch 0 counted 0 short 0\noutput packets:\t\tblocked 0 passed 0 nomatch 0 counted 0 short 0\n`,
    );
    return 0;
  }
  for (const [dir, rules] of lists) {
    if (rules.length === 0) {
      io.err(`empty list for ipfilter(${dir})\n`);
      continue;
    }
    rules.forEach((r, i) => {
      const prefix = `${opts.flags.has('h') ? '0 ' : ''}${opts.flags.has('n') ? `@${i + 1} ` : ''}`;
      io.out(`${prefix}${renderRule(r, numeric)}\n`);
    });
  }
  return 0;
};
