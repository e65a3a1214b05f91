import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { nicenum } from '../core/sizes.js';
import { readState } from '../core/state-store.js';
import { SpaceCalculator } from '../zfs/zfs-space.js';
import { usageError } from './zpool-usage.js';

/**
 * `zpool list [-Hp] [-o property,...] [pool ...]` (zpool_do_list / print_pool in zpool_main.c,
 * zprop_width in zprop_common.c). Columns are separated by two spaces; numeric properties
 * (health included: it is a number internally) are right-aligned in a fixed width of
 * max(5, header) (health: 8), widened to the values only with -p; string properties (name,
 * altroot) take the width of their longest value and the last left-aligned column is not
 * padded. -H prints values separated by tabs without a header. The header shows each
 * property's column name whatever alias was asked for (`allocated` prints ALLOC).
 */
interface Column {
  prop: string;
  header: string;
  numeric: boolean;
}

const PROPS: Record<string, Column> = {
  name: { prop: 'name', header: 'NAME', numeric: false },
  size: { prop: 'size', header: 'SIZE', numeric: true },
  allocated: { prop: 'allocated', header: 'ALLOC', numeric: true },
  free: { prop: 'free', header: 'FREE', numeric: true },
  checkpoint: { prop: 'checkpoint', header: 'CKPOINT', numeric: true },
  expandsize: { prop: 'expandsize', header: 'EXPANDSZ', numeric: true },
  fragmentation: { prop: 'fragmentation', header: 'FRAG', numeric: true },
  capacity: { prop: 'capacity', header: 'CAP', numeric: true },
  dedupratio: { prop: 'dedupratio', header: 'DEDUP', numeric: true },
  health: { prop: 'health', header: 'HEALTH', numeric: true },
  altroot: { prop: 'altroot', header: 'ALTROOT', numeric: false },
  guid: { prop: 'guid', header: 'GUID', numeric: true },
};
const ALIASES: Record<string, string> = {
  alloc: 'allocated',
  cap: 'capacity',
  dedup: 'dedupratio',
  frag: 'fragmentation',
  expandsz: 'expandsize',
  ckpoint: 'checkpoint',
};
const DEFAULT =
  'name,size,allocated,free,checkpoint,expandsize,fragmentation,capacity,dedupratio,health,altroot';

export function zpoolList(io: CommandIo, args: string[]): number {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'gHLpPvo:T:');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    usageError(
      'list',
      error.message.startsWith('option requires')
        ? `missing argument for '${error.option}' option\n`
        : `invalid option '${error.option}'\n`,
    );
  }
  const columns: Column[] = [];
  for (const name of (lastValue(opts, 'o') ?? DEFAULT).split(',')) {
    const column = PROPS[ALIASES[name] ?? name];
    if (!column) usageError('list', `bad property list: invalid property '${name}'\n`);
    columns.push(column);
  }
  const state = readState(io.root);
  const space = new SpaceCalculator(state, io.hostRoot);
  const literal = opts.flags.has('p');
  const scripted = opts.flags.has('H');
  let status = 0;
  const pools = [];
  for (const name of opts.operands.length > 0 ? opts.operands : state.pools.map((p) => p.name)) {
    const pool = state.pools.find((p) => p.name === name);
    if (!pool) {
      io.err(`cannot open '${name}': no such pool\n`);
      status = 1;
    } else pools.push(pool);
  }
  const rows = pools.map((p) => {
    const alloc = space.allocated(p.name);
    const cap = Math.floor((alloc * 100) / p.size);
    const values: Record<string, string> = {
      name: p.name,
      size: literal ? `${p.size}` : nicenum(p.size),
      allocated: literal ? `${alloc}` : nicenum(alloc),
      free: literal ? `${p.size - alloc}` : nicenum(p.size - alloc),
      checkpoint: '-',
      expandsize: '-',
      fragmentation: literal ? '0' : '0%',
      capacity: literal ? `${cap}` : `${cap}%`,
      dedupratio: literal ? '1.00' : '1.00x',
      health: p.health,
      altroot: '-',
      guid: p.guid,
    };
    return columns.map((c) => values[c.prop]!);
  });
  if (scripted) {
    for (const r of rows) io.out(`${r.join('\t')}\n`);
    return status;
  }
  if (rows.length === 0) {
    if (status === 0) io.out('no pools available\n');
    return status;
  }
  const widths = columns.map((c, i) => {
    const fixed = c.numeric
      ? Math.max(c.header.length, c.prop === 'health' ? 8 : 5)
      : c.header.length;
    return c.numeric && !literal ? fixed : Math.max(fixed, ...rows.map((r) => r[i]!.length));
  });
  const line = (values: string[]) =>
    `${values
      .map((v, i) => {
        if (columns[i]!.numeric) return v.padStart(widths[i]!);
        return i === values.length - 1 ? v : v.padEnd(widths[i]!);
      })
      .join('  ')}\n`;
  io.out(line(columns.map((c) => c.header)));
  for (const r of rows) io.out(line(r));
  return status;
}
