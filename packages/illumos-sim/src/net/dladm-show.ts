import { getopt, lastValue, type ParsedOpts } from '../core/getopt.js';
import { CommandExit, type CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { HostState, LinkRecord } from '../core/state-types.js';
import { die, dieOptDup, dieStatus, usage } from './dladm-errors.js';
import { findLink } from './link-names.js';
import { linkSpeed } from './link-usage.js';
import { formatRows, type OfmtField, openFields } from './ofmt.js';

/**
 * dladm show-link / show-vnic / show-etherstub / show-phys / show-vlan / show-aggr: the checks
 * of do_show_link, do_show_vnic_common, do_show_phys, do_show_vlan and do_show_aggr in
 * dladm.c, in their order, and their libofmt field tables (names and widths).
 */
const f = (name: string, width: number): OfmtField => ({ name, width });
const LINK_FIELDS = [
  f('link', 12),
  f('class', 10),
  f('mtu', 7),
  f('state', 9),
  f('bridge', 11),
  f('over', 30),
];
const LINK_STAT_FIELDS = [
  f('link', 15),
  f('ipackets', 10),
  f('rbytes', 8),
  f('ierrors', 10),
  f('opackets', 12),
  f('obytes', 12),
  f('oerrors', 8),
];
const VNIC_FIELDS = [
  f('link', 13),
  f('over', 13),
  f('speed', 9),
  f('macaddress', 18),
  f('macaddrtype', 20),
  f('vid', 7),
];
const PHYS_FIELDS = [
  f('link', 13),
  f('media', 21),
  f('state', 11),
  f('speed', 9),
  f('duplex', 9),
  f('device', 13),
  f('flags', 7),
];
const PHYS_MAC_FIELDS = [
  f('link', 13),
  f('slot', 9),
  f('address', 19),
  f('inuse', 5),
  f('client', 13),
];
const VLAN_FIELDS = [f('link', 16), f('vid', 9), f('over', 13), f('flags', 7)];
const AGGR_FIELDS = [
  f('link', 16),
  f('policy', 9),
  f('addrpolicy', 21),
  f('lacpactivity', 14),
  f('lacptimer', 12),
  f('flags', 8),
];
const AGGR_X_FIELDS = [
  f('link', 12),
  f('port', 15),
  f('speed', 9),
  f('duplex', 9),
  f('state', 9),
  f('address', 19),
  f('portstate', 16),
];

type Row = Record<string, string>;

function print(
  io: CommandIo,
  known: OfmtField[],
  fieldsStr: string | undefined,
  parsable: boolean,
  rows: Row[],
  wrap = false,
): number {
  const sel = openFields(known, fieldsStr, parsable, 'dladm');
  if ('error' in sel) throw new CommandExit(1, `${sel.error}\n`);
  for (const w of sel.warnings) io.err(`${w}\n`);
  io.out(formatRows(sel.fields, rows, parsable, wrap && !parsable));
  return 0;
}

/** A flag given twice is refused for the options dladm tracks with a boolean. */
function once(opts: ParsedOpts, flags: string): void {
  for (const flag of flags) {
    if (opts.list.filter(([f]) => f === flag).length > 1) dieOptDup(flag);
  }
}

/** The link's over column: lower link, aggregation ports, nothing for the rest. */
function overOf(link: LinkRecord): string {
  if (link.class === 'aggr') return (link.ports ?? []).join(',');
  if (link.class === 'vnic' || link.class === 'vlan') return link.over ?? '';
  return '';
}

function linkRow(link: LinkRecord, persistent: boolean): Row {
  return {
    link: link.name,
    class: link.class,
    mtu: persistent ? '' : `${link.mtu}`,
    state: persistent ? '' : link.state,
    bridge: '',
    over: overOf(link),
  };
}

export function showLink(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'pPsi:o:');
  once(opts, 'psi');
  if (opts.list.filter(([f]) => f === 'P').length > 1) dieOptDup('P');
  const persistent = opts.flags.has('P');
  const stats = opts.flags.has('s');
  if (opts.flags.has('i') && !stats) die('the option -i can be used only with -s');
  if (stats && persistent) die('the option -P cannot be used with -s');
  const interval = lastValue(opts, 'i');
  if (interval !== undefined && !/^[1-9]\d*$/.test(interval))
    die(`invalid interval value '${interval}'`);
  const state = readState(io.root);
  let links = state.links.filter((l) => !persistent || !l.temporary);
  if (opts.operands.length === 1) {
    const name = opts.operands[0]!;
    const link = findLink(state, name);
    if (!link) dieStatus('notfound', `link ${name} is not valid`);
    if (persistent && link.temporary) dieStatus('badarg', `link ${name} is a temporary link`);
    links = [link];
  } else if (opts.operands.length > 1) usage();
  const parsable = opts.flags.has('p');
  let fieldsStr = lastValue(opts, 'o');
  if (parsable && fieldsStr === undefined) die('-p requires -o');
  if (parsable && fieldsStr!.toLowerCase() === 'all') die('"-o all" is invalid with -p');
  if (fieldsStr === undefined || fieldsStr.toLowerCase() === 'all') {
    fieldsStr = stats
      ? 'link,ipackets,rbytes,ierrors,opackets,obytes,oerrors'
      : persistent
        ? 'link,class,bridge,over'
        : 'link,class,mtu,state,bridge,over';
  }
  if (stats) {
    // no guest traffic is simulated: every counter is zero
    const zero = {
      ipackets: '0',
      rbytes: '0',
      ierrors: '0',
      opackets: '0',
      obytes: '0',
      oerrors: '0',
    };
    return print(
      io,
      LINK_STAT_FIELDS,
      fieldsStr,
      parsable,
      links.map((l) => ({ link: l.name, ...zero })),
    );
  }
  return print(
    io,
    LINK_FIELDS,
    fieldsStr,
    parsable,
    links.map((l) => linkRow(l, persistent)),
    true,
  );
}

function vnicRow(state: HostState, l: LinkRecord): Row {
  const lower = findLink(state, l.over ?? '');
  return {
    link: l.name,
    over: l.over ?? '',
    speed: `${lower ? linkSpeed(state, lower) : 0}`,
    macaddress: l.mac ?? '',
    macaddrtype: l.macType ?? 'random',
    vid: `${l.vid}`,
  };
}

function showVnicCommon(io: CommandIo, args: string[], etherstub: boolean): number {
  const opts = getopt(args, 'pPl:si:o:');
  const what = etherstub ? 'etherstub' : 'vnic';
  for (const [flag, value] of opts.list) {
    if (flag === 'l') {
      if (etherstub) die('option not supported for this command');
      if (value!.length >= 32) die('link name too long');
    }
  }
  if (opts.list.filter(([f]) => f === 's').length > 1)
    die('the option -s cannot be specified more than once');
  if (opts.list.filter(([f]) => f === 'i').length > 1)
    die('the option -i cannot be specified more than once');
  const interval = lastValue(opts, 'i');
  if (interval !== undefined && !/^[1-9]\d*$/.test(interval))
    die(`invalid interval value '${interval}'`);
  if (opts.flags.has('i') && !opts.flags.has('s')) die('the option -i can be used only with -s');
  const state = readState(io.root);
  let links = state.links.filter((l) => l.class === (etherstub ? 'etherstub' : 'vnic'));
  if (opts.operands.length === 1) {
    const name = opts.operands[0]!;
    const link = findLink(state, name);
    if (!link) dieStatus('notfound', `invalid ${what} name '${name}'`);
    if (link.class !== what)
      die(`datalink ${name} is not ${etherstub ? 'an' : 'a'} ${what}: found class ${link.class}`);
    links = [link];
  } else if (opts.operands.length > 1) usage();
  const over = lastValue(opts, 'l');
  if (over !== undefined) {
    if (!findLink(state, over)) dieStatus('notfound', `invalid link name '${over}'`);
    links = links.filter((l) => l.over === over);
  }
  let fieldsStr = lastValue(opts, 'o');
  if ((fieldsStr === undefined || fieldsStr.toLowerCase() === 'all') && etherstub)
    fieldsStr = 'link';
  const rows = links.map((l) => (etherstub ? { link: l.name } : vnicRow(state, l)));
  return print(io, VNIC_FIELDS, fieldsStr, opts.flags.has('p'), rows);
}

export function showVnic(io: CommandIo, args: string[]): number {
  return showVnicCommon(io, args, false);
}

export function showEtherstub(io: CommandIo, args: string[]): number {
  return showVnicCommon(io, args, true);
}

export function showPhys(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'pPo:mH');
  once(opts, 'p');
  if (opts.list.filter(([f]) => f === 'P').length > 1) dieOptDup('P');
  const parsable = opts.flags.has('p');
  let fieldsStr = lastValue(opts, 'o');
  const mac = opts.flags.has('m');
  const persistent = opts.flags.has('P');
  if (parsable && fieldsStr === undefined) die('-p requires -o');
  if (mac && opts.flags.has('H')) die('-m cannot combine with -H');
  if (parsable && fieldsStr!.toLowerCase() === 'all') die('"-o all" is invalid with -p');
  const state = readState(io.root);
  let links = state.links.filter((l) => l.class === 'phys');
  let named: string | undefined;
  if (opts.operands.length === 1) {
    named = opts.operands[0]!;
    const link = findLink(state, named);
    if (!link) dieStatus('notfound', `link ${named} is not valid`);
    links = [link];
  } else if (opts.operands.length > 1) usage();
  if (mac && persistent) die('-m not compatible with -P');
  if (fieldsStr === undefined || fieldsStr.toLowerCase() === 'all') {
    fieldsStr = mac
      ? 'link,slot,address,inuse,client'
      : persistent
        ? 'link,device,media,flags'
        : 'link,media,state,speed,duplex,device';
  }
  if (named !== undefined && links[0]!.class !== 'phys') {
    print(io, mac ? PHYS_MAC_FIELDS : PHYS_FIELDS, fieldsStr, parsable, []);
    dieStatus('badarg', `failed to show physical link ${named}`);
  }
  const rows = links.map(
    (l): Row =>
      mac
        ? { link: l.name, slot: 'primary', address: l.mac ?? '', inuse: 'yes', client: l.name }
        : {
            link: l.name,
            media: l.media ?? 'Ethernet',
            state: persistent ? '' : l.state,
            speed: persistent ? '' : `${l.speed}`,
            duplex: persistent ? '' : (l.duplex ?? 'full'),
            device: l.device ?? l.name,
            flags: persistent ? '-----' : '',
          },
  );
  return print(io, mac ? PHYS_MAC_FIELDS : PHYS_FIELDS, fieldsStr, parsable, rows);
}

export function showVlan(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'pPo:');
  once(opts, 'p');
  const state = readState(io.root);
  let links = state.links.filter((l) => l.class === 'vlan');
  if (opts.operands.length === 1) {
    const name = opts.operands[0]!;
    const link = findLink(state, name);
    if (!link) dieStatus('notfound', `link ${name} is not valid`);
    if (link.class !== 'vlan') die(`datalink ${name} is not a vlan: found class ${link.class}`);
    links = [link];
  } else if (opts.operands.length > 1) usage();
  let fieldsStr = lastValue(opts, 'o');
  if (fieldsStr !== undefined && fieldsStr.toLowerCase() === 'all') fieldsStr = undefined;
  const rows = links.map((l) => ({
    link: l.name,
    vid: `${l.vid}`,
    over: l.over ?? '',
    flags: `${l.force ? 'f' : '-'}----`,
  }));
  return print(io, VLAN_FIELDS, fieldsStr, opts.flags.has('p'), rows);
}

export function showAggr(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'LpPxsi:o:');
  once(opts, 'Lpxsi');
  if (opts.list.filter(([f]) => f === 'P').length > 1) dieOptDup('P');
  const parsable = opts.flags.has('p');
  const lacp = opts.flags.has('L');
  const extended = opts.flags.has('x');
  const stats = opts.flags.has('s');
  const persistent = opts.flags.has('P');
  let fieldsStr = lastValue(opts, 'o');
  if (parsable && fieldsStr === undefined) die('-p requires -o');
  if (parsable && fieldsStr!.toLowerCase() === 'all') die('"-o all" is invalid with -p');
  if (opts.flags.has('i') && !stats) die('the option -i can be used only with -s');
  if (stats && (lacp || parsable || extended || persistent))
    die(`the option -${lacp ? 'L' : parsable ? 'p' : extended ? 'x' : 'P'} cannot be used with -s`);
  if (lacp && persistent) die('the option -P cannot be used with -L');
  if (extended && (lacp || persistent))
    die(`the option -${lacp ? 'L' : 'P'} cannot be used with -x`);
  const state = readState(io.root);
  let aggrs = state.links.filter((l) => l.class === 'aggr');
  if (opts.operands.length === 1) {
    const name = opts.operands[0]!;
    const link = /^[-+]?\d+$/.test(name) ? undefined : findLink(state, name);
    if (!link) die(`non-existent aggregation '${name}'`);
    if (link.class !== 'aggr') dieStatus('notfound', `failed to show aggr ${name}`);
    aggrs = [link];
  } else if (opts.operands.length > 1) usage();
  if (lacp || stats) {
    throw new CommandExit(1, 'dladm: show-aggr -L and -s are not simulated\n');
  }
  if (fieldsStr === undefined || fieldsStr.toLowerCase() === 'all') {
    fieldsStr = extended
      ? 'link,port,speed,duplex,state,address,portstate'
      : 'link,policy,addrpolicy,lacpactivity,lacptimer,flags';
  }
  if (!extended) {
    const rows = aggrs.map((a) => ({
      link: a.name,
      policy: 'L4',
      addrpolicy: 'auto',
      lacpactivity: 'off',
      lacptimer: 'short',
      flags: '-----',
    }));
    return print(io, AGGR_FIELDS, fieldsStr, parsable, rows);
  }
  const rows: Row[] = [];
  for (const a of aggrs) {
    rows.push({
      link: a.name,
      port: '',
      speed: `${linkSpeed(state, a)}Mb`,
      duplex: 'full',
      state: a.state,
      address: a.mac ?? '',
      portstate: '',
    });
    for (const p of a.ports ?? []) {
      const port = findLink(state, p);
      rows.push({
        // print_xaggr_cb: a port row's link column is a blank in human mode
        link: parsable ? a.name : ' ',
        port: p,
        speed: `${port?.speed ?? 0}Mb`,
        duplex: port?.duplex ?? 'full',
        state: port?.state ?? 'unknown',
        address: port?.mac ?? '',
        portstate: 'attached',
      });
    }
  }
  return print(io, AGGR_X_FIELDS, fieldsStr, parsable, rows);
}
