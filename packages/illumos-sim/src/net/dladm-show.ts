import { getopt, lastValue } from '../core/getopt.js';
import { CommandExit, type CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { LinkRecord } from '../core/state-types.js';
import { findLink } from './link-names.js';
import { formatRows, type OfmtField, selectFields } from './ofmt.js';

/** dladm show-link / show-vnic / show-phys / show-etherstub with libofmt output. */
const LINK_FIELDS: OfmtField[] = [
  { name: 'link', width: 12 },
  { name: 'class', width: 10 },
  { name: 'mtu', width: 7 },
  { name: 'state', width: 9 },
  { name: 'bridge', width: 11 },
  { name: 'over', width: 30 },
];
const VNIC_FIELDS: OfmtField[] = [
  { name: 'link', width: 12 },
  { name: 'over', width: 12 },
  { name: 'speed', width: 6 },
  { name: 'macaddress', width: 18 },
  { name: 'macaddrtype', width: 12 },
  { name: 'vid', width: 5 },
];
const PHYS_FIELDS: OfmtField[] = [
  { name: 'link', width: 12 },
  { name: 'media', width: 15 },
  { name: 'state', width: 11 },
  { name: 'speed', width: 6 },
  { name: 'duplex', width: 9 },
  { name: 'device', width: 12 },
  { name: 'flags', width: 6 },
];
const PHYS_MAC_FIELDS: OfmtField[] = [
  { name: 'link', width: 12 },
  { name: 'slot', width: 9 },
  { name: 'address', width: 18 },
  { name: 'inuse', width: 6 },
  { name: 'client', width: 12 },
];
const STUB_FIELDS: OfmtField[] = [{ name: 'link', width: 12 }];

function die(msg: string): never {
  throw new CommandExit(1, `dladm: ${msg}\n`);
}

function output(
  io: CommandIo,
  known: OfmtField[],
  defaults: string[],
  args: string[],
  rows: (opts: ReturnType<typeof getopt>) => Array<Record<string, string>>,
  noOMessage: string,
  spec = 'pPo:sSi:m',
): number {
  const opts = getopt(args, spec);
  const parsable = opts.flags.has('p');
  const o = lastValue(opts, 'o');
  if (parsable && o === undefined) die(noOMessage);
  if (parsable && o?.toLowerCase().split(',').includes('all') && known === LINK_FIELDS)
    die('"-o all" is invalid with -p');
  const sel = selectFields(known, o, defaults, parsable, 'dladm');
  if ('error' in sel) throw new CommandExit(1, `${sel.error}\n`);
  for (const w of sel.warnings) io.err(`${w}\n`);
  io.out(formatRows(sel.fields, rows(opts), parsable));
  return 0;
}

function linkRow(l: LinkRecord): Record<string, string> {
  return {
    link: l.name,
    class: l.class,
    mtu: `${l.mtu}`,
    state: l.state,
    bridge: '',
    over: l.over ?? '',
  };
}

export function showLink(io: CommandIo, args: string[]): number {
  return output(
    io,
    LINK_FIELDS,
    ['link', 'class', 'mtu', 'state', 'bridge', 'over'],
    args,
    (opts) => {
      const state = readState(io.root);
      const name = opts.operands[0];
      if (name !== undefined) {
        const l = findLink(state, name);
        if (!l) die(`link ${name} is not valid: object not found`);
        return [linkRow(l)];
      }
      return state.links.map(linkRow);
    },
    '-p requires -o',
  );
}

export function showVnic(io: CommandIo, args: string[]): number {
  return output(
    io,
    VNIC_FIELDS,
    ['link', 'over', 'speed', 'macaddress', 'macaddrtype', 'vid'],
    args,
    (opts) => {
      const state = readState(io.root);
      const name = opts.operands[0];
      const overFilter = lastValue(opts, 'l');
      let vnics = state.links.filter((l) => l.class === 'vnic');
      if (name !== undefined) {
        vnics = vnics.filter((l) => l.name === name);
        if (vnics.length === 0) die(`invalid vnic name '${name}': object not found`);
      }
      if (overFilter !== undefined) vnics = vnics.filter((l) => l.over === overFilter);
      return vnics.map((l) => {
        const over = findLink(state, l.over ?? '');
        return {
          link: l.name,
          over: l.over ?? '',
          speed: `${over?.class === 'etherstub' ? 0 : (over?.speed ?? 0)}`,
          macaddress: l.mac ?? '',
          macaddrtype: l.macType ?? 'random',
          vid: `${l.vid}`,
        };
      });
    },
    'output fields must be specified in parsable mode',
    'pPo:sSi:l:m',
  );
}

export function showPhys(io: CommandIo, args: string[]): number {
  const macMode = args.includes('-m');
  const known = macMode ? PHYS_MAC_FIELDS : PHYS_FIELDS;
  const defaults = macMode
    ? ['link', 'slot', 'address', 'inuse', 'client']
    : ['link', 'media', 'state', 'speed', 'duplex', 'device'];
  return output(
    io,
    known,
    defaults,
    args,
    (opts) => {
      const state = readState(io.root);
      let phys = state.links.filter((l) => l.class === 'phys');
      const name = opts.operands[0];
      if (name !== undefined) {
        phys = phys.filter((l) => l.name === name);
        if (phys.length === 0) die(`invalid link name '${name}'`);
      }
      return phys.map(
        (l): Record<string, string> =>
          macMode
            ? { link: l.name, slot: 'primary', address: l.mac ?? '', inuse: 'yes', client: l.name }
            : {
                link: l.name,
                media: l.media ?? 'Ethernet',
                state: l.state,
                speed: `${l.speed}`,
                duplex: l.duplex ?? 'full',
                device: l.device ?? l.name,
                flags: '--',
              },
      );
    },
    '-p requires -o',
    'pPo:sSi:mH',
  );
}

export function showEtherstub(io: CommandIo, args: string[]): number {
  return output(
    io,
    STUB_FIELDS,
    ['link'],
    args,
    (opts) => {
      const state = readState(io.root);
      let stubs = state.links.filter((l) => l.class === 'etherstub');
      const name = opts.operands[0];
      if (name !== undefined) {
        stubs = stubs.filter((l) => l.name === name);
        if (stubs.length === 0) die(`invalid etherstub name '${name}': object not found`);
      }
      return stubs.map((l) => ({ link: l.name }));
    },
    '-p requires -o',
  );
}
