import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import type { CommandHandler } from '../core/io.js';
import { nicenum } from '../core/sizes.js';
import { readState } from '../core/state-store.js';
import { SpaceCalculator } from './zfs-space.js';

/** `zpool list [-Hp] [-o field,...] [pool...]` (size, alloc/allocated, free, cap, health, ...). */
const FIELDS: Record<string, string> = {
  name: 'name',
  size: 'size',
  alloc: 'allocated',
  allocated: 'allocated',
  free: 'free',
  cap: 'capacity',
  capacity: 'capacity',
  health: 'health',
  guid: 'guid',
  altroot: 'altroot',
  dedup: 'dedupratio',
  dedupratio: 'dedupratio',
  frag: 'fragmentation',
  fragmentation: 'fragmentation',
  expandsz: 'expandsize',
  ckpoint: 'checkpoint',
};

export const zpool: CommandHandler = (io, args) => {
  const [sub, ...rest] = args;
  if (sub !== 'list') {
    io.err(sub === undefined ? 'missing command\n' : `unrecognized command '${sub}'\n`);
    io.err(
      "usage: zpool command args ...\nwhere 'command' is one of the following:\n\n\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n",
    );
    return 2;
  }
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(rest, 'gHLpPvo:T:');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    io.err(
      `invalid option '${error.option}'\nusage:\n\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n`,
    );
    return 2;
  }
  const cols = (
    lastValue(opts, 'o') ?? 'name,size,alloc,free,ckpoint,expandsz,frag,cap,dedup,health,altroot'
  ).split(',');
  for (const c of cols) {
    if (!FIELDS[c]) {
      io.err(`property '${c}' is not a valid pool property\n`);
      return 2;
    }
  }
  const state = readState(io.root);
  const space = new SpaceCalculator(state, io.hostRoot);
  let pools = state.pools;
  let status = 0;
  if (opts.operands.length > 0) {
    pools = [];
    for (const name of opts.operands) {
      const p = state.pools.find((x) => x.name === name);
      if (!p) {
        io.err(`cannot open '${name}': no such pool\n`);
        status = 1;
      } else pools.push(p);
    }
  }
  const parsable = opts.flags.has('p');
  const rows = pools.map((p) => {
    const alloc = space.allocated(p.name);
    const values: Record<string, string> = {
      name: p.name,
      size: parsable ? `${p.size}` : nicenum(p.size),
      allocated: parsable ? `${alloc}` : nicenum(alloc),
      free: parsable ? `${p.size - alloc}` : nicenum(p.size - alloc),
      capacity: parsable
        ? `${Math.floor((alloc * 100) / p.size)}`
        : `${Math.floor((alloc * 100) / p.size)}%`,
      health: p.health,
      guid: p.guid,
      altroot: '-',
      dedupratio: parsable ? '1.00' : '1.00x',
      fragmentation: parsable ? '0' : '0%',
      expandsize: '-',
      checkpoint: '-',
    };
    return cols.map((c) => values[FIELDS[c]!]!);
  });
  if (opts.flags.has('H')) for (const r of rows) io.out(`${r.join('\t')}\n`);
  else if (rows.length > 0) {
    const header = cols.map((c) => c.toUpperCase());
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [header, ...rows])
      io.out(`${r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')}\n`);
  } else if (status === 0) io.out('no pools available\n');
  return status;
};
