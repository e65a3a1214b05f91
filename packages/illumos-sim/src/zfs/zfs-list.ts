import { getopt, lastValue } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { DatasetRecord, DatasetType, HostState } from '../core/state-types.js';
import { descendantsOf, getDataset } from './zfs-model.js';
import { datasetNameProblem } from './zfs-names.js';
import { canonicalProp, PROPS, propValue } from './zfs-props.js';
import { SpaceCalculator } from './zfs-space.js';
import { zfsUsage } from './zfs-usage.js';

/**
 * `zfs list` and `zfs get`: the same dataset selection (named datasets, `-r`, `-d N`, `-t`),
 * sorted like zfs_compare (strcmp on the dataset part, snapshots after their dataset by txg),
 * printed tab-separated with `-H`, padded columns otherwise.
 */
const TYPE_NAMES: Record<string, DatasetType[] | 'all'> = {
  filesystem: ['filesystem'],
  fs: ['filesystem'],
  volume: ['volume'],
  vol: ['volume'],
  snapshot: ['snapshot'],
  snap: ['snapshot'],
  bookmark: [],
  all: 'all',
};

function parseTypes(
  sub: string,
  text: string | undefined,
  fallback: DatasetType[],
): Set<DatasetType> {
  if (text === undefined) return new Set(fallback);
  const out = new Set<DatasetType>();
  for (const t of text.split(',')) {
    const m = TYPE_NAMES[t];
    if (m === undefined) zfsUsage(sub, `invalid type '${t}'`);
    for (const x of m === 'all' ? (['filesystem', 'volume', 'snapshot'] as DatasetType[]) : m)
      out.add(x);
  }
  return out;
}

function compareNames(a: DatasetRecord, b: DatasetRecord): number {
  const [an] = a.name.split('@') as [string];
  const [bn] = b.name.split('@') as [string];
  if (an !== bn) return an < bn ? -1 : 1;
  if (a.type === 'snapshot' && b.type !== 'snapshot') return 1;
  if (b.type === 'snapshot' && a.type !== 'snapshot') return -1;
  return a.createtxg - b.createtxg;
}

interface Selection {
  datasets: DatasetRecord[];
  failed: boolean;
}

function select(
  io: CommandIo,
  state: HostState,
  operands: string[],
  types: Set<DatasetType>,
  depth: number | undefined,
  typesGiven: boolean,
): Selection {
  let failed = false;
  const picked = new Map<string, DatasetRecord>();
  if (operands.length === 0) {
    for (const d of Object.values(state.datasets)) {
      if (
        types.has(d.type) &&
        (depth === undefined || levelBelow(d.name, d.name.split('/')[0]!) <= depth)
      ) {
        picked.set(d.name, d);
      }
    }
  }
  for (const name of operands) {
    const ds = getDataset(state, name);
    if (!ds) {
      const problem = datasetNameProblem(name, 'any');
      io.err(
        `cannot open '${name}': ${problem ? 'invalid dataset name' : 'dataset does not exist'}\n`,
      );
      failed = true;
      continue;
    }
    // A dataset named explicitly is listed even if -t would not include its type,
    // unless -t was given and excludes it.
    if (!typesGiven || types.has(ds.type)) picked.set(ds.name, ds);
    if (depth !== undefined && ds.type !== 'snapshot') {
      for (const d of descendantsOf(state, name)) {
        if (types.has(d.type) && levelBelow(d.name, name) <= depth) picked.set(d.name, d);
      }
    }
  }
  return { datasets: [...picked.values()], failed };
}

/** How many levels `name` is below `top` (a snapshot counts one level below its dataset). */
function levelBelow(name: string, top: string): number {
  if (name === top) return 0;
  const rest = name.slice(top.length);
  return rest.split(/[/@]/).length - 1;
}

function sortDatasets(
  list: DatasetRecord[],
  keys: Array<{ prop: string; desc: boolean }>,
  value: (d: DatasetRecord, prop: string) => string,
): void {
  // zfs_sort(): a value that does not apply (`-`) sorts to the bottom whatever the order;
  // numeric properties compare as numbers, the others with strcmp (index properties such as
  // compression compare by their table index in libzfs; by name here).
  list.sort((a, b) => {
    for (const { prop, desc } of keys) {
      const va = value(a, prop);
      const vb = value(b, prop);
      if (va === '-' && vb === '-') continue;
      if (va === '-') return 1;
      if (vb === '-') return -1;
      let c = 0;
      const kind = PROPS[prop]?.kind;
      if (kind === 'number' || kind === 'date' || kind === 'ratio')
        c = Math.sign(Number(va) - Number(vb));
      else if (va !== vb) c = va < vb ? -1 : 1;
      if (c !== 0) return desc ? -c : c;
    }
    return compareNames(a, b);
  });
}

/** Column headers as zfs prints them (zprop colname). */
const COLNAMES: Record<string, string> = {
  available: 'AVAIL',
  referenced: 'REFER',
  compressratio: 'RATIO',
  reservation: 'RESERV',
  refreservation: 'REFRESERV',
  volblocksize: 'VOLBLOCK',
  recordsize: 'RECSIZE',
  compression: 'COMPRESS',
  readonly: 'RDONLY',
  usedbysnapshots: 'USEDSNAP',
  usedbydataset: 'USEDDS',
  usedbychildren: 'USEDCHILD',
  usedbyrefreservation: 'USEDREFRESERV',
  logicalused: 'LUSED',
  logicalreferenced: 'LREFER',
};

export function colname(prop: string): string {
  return COLNAMES[prop] ?? prop.toUpperCase();
}

function printTable(
  io: CommandIo,
  header: string[],
  rows: string[][],
  scripted: boolean,
  rightAlign: boolean[] = [],
): void {
  if (scripted) {
    for (const row of rows) io.out(`${row.join('\t')}\n`);
    return;
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (row: string[]) =>
    `${row
      .map((c, i) =>
        rightAlign[i] ? c.padStart(widths[i]!) : i === row.length - 1 ? c : c.padEnd(widths[i]!),
      )
      .join('  ')}\n`;
  io.out(fmt(header));
  for (const row of rows) io.out(fmt(row));
}

export function zfsList(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'Hprd:o:s:S:t:');
  const scripted = opts.flags.has('H');
  const parsable = opts.flags.has('p');
  const fields = (lastValue(opts, 'o') ?? 'name,used,avail,refer,mountpoint').split(',');
  const cols: string[] = [];
  for (const f of fields) {
    if (f === 'name') {
      cols.push('name');
      continue;
    }
    const c = canonicalProp(f);
    if (c === undefined) zfsUsage('list', `bad property list: invalid property '${f}'`);
    cols.push(c);
  }
  const sortKeys: Array<{ prop: string; desc: boolean }> = [];
  for (const [flag, v] of opts.list) {
    if (flag !== 's' && flag !== 'S') continue;
    const c = v === 'name' ? 'name' : canonicalProp(v!);
    if (c === undefined) zfsUsage('list', `invalid property '${v}'`);
    sortKeys.push({ prop: c, desc: flag === 'S' });
  }
  const dText = lastValue(opts, 'd');
  let depth: number | undefined = opts.flags.has('r') ? Number.POSITIVE_INFINITY : undefined;
  if (dText !== undefined) {
    if (!/^\d+$/.test(dText)) zfsUsage('list', `invalid depth '${dText}'`);
    depth = Number(dText);
  }
  const typesGiven = opts.values.has('t');
  const types = parseTypes('list', lastValue(opts, 't'), ['filesystem', 'volume']);
  const state = readState(io.root);
  const space = new SpaceCalculator(state, io.hostRoot);
  const sel = select(io, state, opts.operands, types, depth, typesGiven);
  const cell = (d: DatasetRecord, prop: string, p: boolean): string => {
    if (prop === 'name') return d.name;
    return propValue(state, space, d, prop, p)?.value ?? '-';
  };
  sortDatasets(sel.datasets, sortKeys, (d, prop) => cell(d, prop, true));
  const rows = sel.datasets.map((d) => cols.map((c) => cell(d, c, parsable)));
  if (rows.length === 0 && !sel.failed && !scripted) {
    io.out('no datasets available\n');
    return 0;
  }
  if (rows.length > 0) {
    const right = cols.map((c) => PROPS[c]?.kind === 'number');
    printTable(io, cols.map(colname), rows, scripted, right);
  }
  return sel.failed ? 1 : 0;
}

const SOURCES = new Set(['local', 'default', 'inherited', 'temporary', 'received', 'none']);

export function zfsGet(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'Hprd:o:s:t:');
  const scripted = opts.flags.has('H');
  const parsable = opts.flags.has('p');
  const columns = (lastValue(opts, 'o') ?? 'name,property,value,source').split(',');
  const known = ['name', 'property', 'value', 'received', 'source'];
  const outCols = columns.flatMap((c) => (c === 'all' ? known : [c]));
  for (const c of outCols) if (!known.includes(c)) zfsUsage('get', `invalid column name '${c}'`);
  const sourceFilter = lastValue(opts, 's')?.split(',');
  for (const s of sourceFilter ?? []) if (!SOURCES.has(s)) zfsUsage('get', `invalid source '${s}'`);
  if (opts.operands.length === 0) zfsUsage('get', 'missing property argument');
  const propList = opts.operands[0]!;
  const all = propList === 'all';
  const props: string[] = [];
  if (!all) {
    for (const p of propList.split(',')) {
      const c = canonicalProp(p);
      if (c === undefined) zfsUsage('get', `bad property list: invalid property '${p}'`);
      props.push(c);
    }
  }
  const dText = lastValue(opts, 'd');
  let depth: number | undefined = opts.flags.has('r') ? Number.POSITIVE_INFINITY : undefined;
  if (dText !== undefined) depth = Number(dText);
  const typesGiven = opts.values.has('t');
  const types = parseTypes('get', lastValue(opts, 't'), ['filesystem', 'volume', 'snapshot']);
  const state = readState(io.root);
  const space = new SpaceCalculator(state, io.hostRoot);
  const sel = select(io, state, opts.operands.slice(1), types, depth, typesGiven);
  sel.datasets.sort(compareNames);
  const rows: string[][] = [];
  for (const d of sel.datasets) {
    const names = all
      ? [...Object.keys(PROPS), ...Object.keys(d.props).filter((k) => k.includes(':'))]
      : props;
    for (const prop of names) {
      const pv = propValue(state, space, d, prop, parsable);
      if (pv === undefined) {
        if (all) continue;
      }
      const value = pv ?? { value: '-', source: '-' };
      if (sourceFilter && !matchesSource(value.source, sourceFilter)) continue;
      const received = d.received?.[prop] ?? '-';
      const row: Record<string, string> = {
        name: d.name,
        property: prop,
        value: value.value,
        received,
        source: value.source,
      };
      rows.push(outCols.map((c) => row[c]!));
    }
  }
  if (rows.length > 0)
    printTable(
      io,
      outCols.map((c) => c.toUpperCase()),
      rows,
      scripted,
    );
  return sel.failed ? 1 : 0;
}

function matchesSource(source: string, filter: string[]): boolean {
  if (source.startsWith('inherited')) return filter.includes('inherited');
  if (source === '-') return filter.includes('none');
  return filter.includes(source);
}
