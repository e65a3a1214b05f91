import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandHandler, CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import { kstatChain } from './kstat-chain.js';
import { printInstances, readInstances } from './kstat-print.js';
import { RegexError } from './kstat-regex.js';
import { KstatPattern, parseSelector, type Selector, selector } from './kstat-select.js';

/**
 * kstat(8), after usr/src/cmd/stat/kstat/kstat.c (the C rewrite of the Perl kstat):
 * selectors as operands (`module:instance:name:statistic`, globs or `/ERE/`, any number) or
 * as -m/-i/-n/-s, `-p` `-l` `-C` `-j` `-q`, `-c class`, `-T u|d`, `[interval [count]]`.
 * Exit 0 when a statistic matched, 1 when none did, 2 on a usage error. An unknown option,
 * like -h and -?, prints the usage and exits 0: getopt returns '?' and kstat.c's `case '?'`
 * exits 0.
 */
const USAGE =
  'Usage:\n' +
  'kstat [ -Cjlpq ] [ -T d|u ] [ -c class ]\n' +
  '      [ -m module ] [ -i instance ] [ -n name ] [ -s statistic ]\n' +
  '      [ interval [ count ] ]\n' +
  'kstat [ -Cjlpq ] [ -T d|u ] [ -c class ]\n' +
  '      [ module[:instance[:name[:statistic]]] ... ]\n' +
  '      [ interval [ count ] ]\n';

const ULONG_MAX = (1n << 64n) - 1n;

function usage(io: CommandIo, message = '', code = 2): number {
  io.err(`${message}${USAGE}`);
  return code;
}

/** "%a %b %e %H:%M:%S %Z %Y" (_DATE_FMT of the C locale), in UTC. */
function dateLine(now: number): string {
  const d = new Date(now);
  const [wd, mon, day, year, time] = d.toUTCString().replace(',', '').split(' ') as string[];
  return `${wd} ${mon} ${String(Number(day)).padStart(2)} ${time} UTC ${year}`;
}

export const kstat: CommandHandler = async (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'h?CqjlpT:m:i:n:s:c:', false);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    return usage(io, `kstat: ${error.message}\n`, 0);
  }
  if (opts.flags.has('h') || opts.flags.has('?')) return usage(io, '', 0);
  const flag = (f: string) => opts.flags.has(f);
  const last = (f: string) => opts.values.get(f)?.at(-1);
  const parsable = flag('p') || flag('l') || flag('C');
  let errflg = false;
  const stamp = last('T');
  if (stamp !== undefined && !stamp.startsWith('d') && !stamp.startsWith('u')) errflg = true;
  let prefix = '';
  if (flag('q') && (flag('j') || parsable)) {
    prefix = '-q and -lpj are mutually exclusive\n';
    errflg = true;
  }
  if (errflg) return usage(io, prefix);

  const selectors: Selector[] = [];
  const numbers: number[] = [];
  for (const operand of opts.operands) {
    if (/^\s*[+-]?\d+$/.test(operand)) {
      const value = BigInt(operand.trim());
      const what = numbers.length === 0 ? 'Interval' : 'Count';
      if (value > ULONG_MAX) return usage(io, numbers.length < 2 ? `${what} is too large\n` : '');
      if (value < 1n) return usage(io, numbers.length < 2 ? `${what} must be an integer >= 1` : '');
      if (numbers.length >= 2) return usage(io);
      numbers.push(Number(value));
      continue;
    }
    const sel = parseSelector(operand);
    if (!sel) return usage(io);
    selectors.push(sel);
  }
  const named = ['m', 'i', 'n', 's'].some((f) => opts.values.has(f));
  if (selectors.length > 0 && named) {
    return usage(
      io,
      '[module[:instance[:name[:statistic]]]] and -m -i -n -s are mutually exclusive',
    );
  }
  if (selectors.length === 0) {
    const m = last('m');
    const i = last('i');
    const n = last('n');
    const s = last('s');
    selectors.push(
      selector({
        ...(m !== undefined ? { module: m } : {}),
        ...(i !== undefined ? { instance: i } : {}),
        ...(n !== undefined ? { name: n } : {}),
        ...(s !== undefined ? { statistic: s } : {}),
      }),
    );
  }
  const interval = numbers[0] ?? 0;
  let count = numbers.length === 0 ? 1 : (numbers[1] ?? -1);
  const printOpts = {
    parsable,
    namesOnly: flag('l'),
    colon: flag('C'),
    json: flag('j'),
    quiet: flag('q'),
    klass: new KstatPattern(last('c') ?? '*'),
  };
  let matched = false;
  try {
    while (count === -1 || count-- > 0) {
      const now = Date.now();
      const kept = readInstances(kstatChain(readState(io.root), now), selectors);
      if (stamp?.startsWith('u')) io.out(`${Math.floor(now / 1000)}\n`);
      else if (stamp?.startsWith('d')) io.out(`${dateLine(now)}\n`);
      if (printInstances(kept, selectors, printOpts, io.out)) matched = true;
      if (interval && count) {
        await new Promise((resolve) => setTimeout(resolve, interval * 1000));
        io.out('\n');
      }
    }
  } catch (error) {
    if (!(error instanceof RegexError)) throw error;
    return usage(io, `kstat: ${error.message}\n`);
  }
  return matched ? 0 : 1;
};
