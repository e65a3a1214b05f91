import { GetoptError, getopt } from '../core/getopt.js';
import { fnmatch } from '../core/glob.js';
import type { CommandHandler } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { HostState } from '../core/state-types.js';

/**
 * `kstat -p [module:instance:name:statistic ...]`: the statistics the agent reads for host
 * resources. Exit 0 when something matched, 1 (empty output) when nothing did, 2 on usage.
 */
function stats(state: HostState): Array<[string, string]> {
  const ram = state.physmemPages;
  const rows: Array<[string, string]> = [
    ['unix:0:system_misc:ncpus', `${state.cpus}`],
    ['unix:0:system_misc:boot_time', `${state.bootTime}`],
    ['unix:0:system_misc:nproc', `${60 + state.zones.length * 3}`],
    ['unix:0:system_pages:physmem', `${ram}`],
    ['unix:0:system_pages:pagestotal', `${ram}`],
    ['unix:0:system_pages:freemem', `${Math.floor(ram * 0.6)}`],
    ['unix:0:system_pages:availrmem', `${Math.floor(ram * 0.7)}`],
  ];
  for (let i = 0; i < state.cpus; i++) {
    rows.push([`cpu_info:${i}:cpu_info${i}:state`, 'on-line']);
    rows.push([`cpu_info:${i}:cpu_info${i}:clock_MHz`, '2400']);
    rows.push([`cpu_info:${i}:cpu_info${i}:brand`, 'Intel(r) Xeon(r) CPU (simulated)']);
  }
  return rows;
}

export const kstat: CommandHandler = (io, args) => {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'pqlcm:i:n:s:T:', false);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(
      `kstat: ${error.message}\nUsage:\nkstat [ -Cjlq ] [ -T d|u ] [ -c class ]\n      [ -m module ] [ -i instance ] [ -n name ] [ -s statistic ]\n      [ interval [ count ] ]\nkstat [ -Cjlq ] [ -T d|u ] [ -c class ]\n      [ module:instance:name:statistic ... ]\n      [ interval [ count ] ]\n`,
    );
    return 2;
  }
  const patterns = opts.operands.length > 0 ? opts.operands : ['*:*:*:*'];
  const pick = (flag: string) => opts.values.get(flag)?.at(-1) ?? '*';
  const rows = stats(readState(io.root)).filter(([key]) => {
    const [m, i, n, s] = key.split(':') as [string, string, string, string];
    if (
      ![
        fnmatch(pick('m'), m),
        fnmatch(pick('i'), i),
        fnmatch(pick('n'), n),
        fnmatch(pick('s'), s),
      ].every(Boolean)
    )
      return false;
    return patterns.some((p) => {
      const parts = p.split(':');
      return [m, i, n, s].every((v, k) => fnmatch(parts[k] || '*', v));
    });
  });
  if (!opts.flags.has('q')) {
    for (const [key, value] of rows)
      io.out(opts.flags.has('p') ? `${key}\t${value}\n` : `${key}\t${value}\n`);
  }
  return rows.length > 0 ? 0 : 1;
};
