import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import { CommandExit, type CommandHandler, type CommandIo } from '../core/io.js';
import { readState, updateState } from '../core/state-store.js';
import type { AddrRecord, HostState } from '../core/state-types.js';
import { normalizeCidr } from './addresses.js';
import { findLink } from './link-names.js';
import { formatRows, type OfmtField, selectFields } from './ofmt.js';

/**
 * ipadm: IP interfaces, static addresses and the forwarding property. Fatal errors follow
 * ipadm.c's die(): `ipadm: <msg>` on stderr WITHOUT a newline, the newline on stdout, exit 1.
 */
const USAGE =
  'usage: ipadm <subcommand> <args> ...\n\tcreate-if\t[-t] <interface>\n\tdelete-if\t<interface>\n\tcreate-addr\t[-t] -T static [-d] -a{local|remote}=addr[/prefixlen]\n\t\t\t<addrobj>\n\tdelete-addr\t[-r] <addrobj>\n\tshow-addr\t[[-p] -o <field>,...] [<addrobj>]\n\tshow-if\t\t[[-p] -o <field>,...] [<interface>]\n\tset-prop\t[-t] -p <prop>=<value[,...]> <protocol>\n\tshow-prop\t[[-c] -o <field>,...] [-p <prop>,...] <protocol>\n';

function die(msg: string, withUsage = false): never {
  const e = new CommandExit(1, `ipadm: ${msg}${withUsage ? `\n${USAGE}` : ''}`);
  (e as CommandExit & { stdoutNewline?: boolean }).stdoutNewline = true;
  throw e;
}

const ADDR_FIELDS: OfmtField[] = [
  { name: 'addrobj', width: 18 },
  { name: 'type', width: 9 },
  { name: 'state', width: 13 },
  { name: 'current', width: 8 },
  { name: 'persistent', width: 11 },
  { name: 'addr', width: 46 },
];
const IF_FIELDS: OfmtField[] = [
  { name: 'ifname', width: 11 },
  { name: 'class', width: 10 },
  { name: 'state', width: 9 },
  { name: 'current', width: 13 },
  { name: 'persistent', width: 11 },
];
const PROP_FIELDS: OfmtField[] = [
  { name: 'proto', width: 6 },
  { name: 'property', width: 22 },
  { name: 'perm', width: 5 },
  { name: 'current', width: 13 },
  { name: 'persistent', width: 13 },
  { name: 'default', width: 13 },
  { name: 'possible', width: 15 },
];

function printTable(
  io: CommandIo,
  known: OfmtField[],
  defaults: string[],
  o: string | undefined,
  parsable: boolean,
  rows: Array<Record<string, string>>,
): void {
  if (parsable && o === undefined) die('output fields must be specified in parsable mode');
  const sel = selectFields(known, o, defaults, parsable, 'ipadm');
  if ('error' in sel) die(sel.error.replace(/^ipadm: /, ''));
  for (const w of sel.warnings) io.err(`${w}\n`);
  io.out(formatRows(sel.fields, rows, parsable));
}

function showAddr(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'po:');
  if (opts.flags.has('p') && !opts.values.has('o')) die('-p requires -o');
  const state = readState(io.root);
  let addrs = state.addresses;
  const which = opts.operands[0];
  if (which !== undefined) {
    if (!which.includes('/')) die('Invalid address object name provided');
    addrs = which.endsWith('/')
      ? addrs.filter((a) => a.ifname === which.slice(0, -1))
      : addrs.filter((a) => a.addrobj === which);
    if (addrs.length === 0) die('Address object not found');
  }
  const rows = addrs.map((a) => ({
    addrobj: a.addrobj,
    type: a.type,
    state: 'ok',
    current: 'U---',
    persistent: a.temporary ? '' : 'U--',
    addr: a.addr,
  }));
  printTable(
    io,
    ADDR_FIELDS,
    ['addrobj', 'type', 'state', 'addr'],
    lastValue(opts, 'o'),
    opts.flags.has('p'),
    rows,
  );
  return 0;
}

function showIf(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'po:');
  const state = readState(io.root);
  let ifs = state.interfaces;
  const which = opts.operands[0];
  if (which !== undefined) {
    ifs = ifs.filter((i) => i.name === which);
    if (ifs.length === 0) die('Could not get interface(s): Interface does not exist');
  }
  const rows = ifs.map((i) => ({
    ifname: i.name,
    class: i.name === 'lo0' ? 'LOOPBACK' : 'IP',
    state: 'ok',
    current: `${i.name === 'lo0' ? '-m-v' : 'bm--'}------${i.v4 ? '4' : '-'}${i.v6 ? '6' : '-'}`,
    persistent: i.temporary ? '' : `-${i.v4 ? '4' : '-'}${i.v6 ? '6' : '-'}`,
  }));
  printTable(
    io,
    IF_FIELDS,
    ['ifname', 'class', 'state', 'current', 'persistent'],
    lastValue(opts, 'o'),
    opts.flags.has('p'),
    rows,
  );
  return 0;
}

function linkCheck(state: HostState, ifname: string, temporary: boolean): string | undefined {
  if (ifname === 'lo0') return undefined;
  const link = findLink(state, ifname);
  if (!link) return 'Could not open DLPI link';
  if (link.temporary && !temporary) return 'Persistent operation on temporary object';
  return undefined;
}

async function createIf(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 't');
  const ifname = opts.operands[0];
  if (!ifname || opts.operands.length > 1) die('Invalid arguments', true);
  return updateState(io.root, (state) => {
    if (state.interfaces.some((i) => i.name === ifname))
      die(`Could not create ${ifname} : Interface already exists`);
    const problem = linkCheck(state, ifname, opts.flags.has('t'));
    if (problem) die(`Could not create ${ifname} : ${problem}`);
    state.interfaces.push({ name: ifname, temporary: opts.flags.has('t'), v4: true, v6: true });
    return 0;
  });
}

async function deleteIf(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 't');
  const ifname = opts.operands[0];
  if (!ifname) die('Invalid arguments', true);
  return updateState(io.root, (state) => {
    const at = state.interfaces.findIndex((i) => i.name === ifname);
    if (at < 0) die(`Could not delete ${ifname}: Interface does not exist`);
    state.interfaces.splice(at, 1);
    state.addresses = state.addresses.filter((a) => a.ifname !== ifname);
    return 0;
  });
}

async function createAddr(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tdT:a:w:h:');
  const type = lastValue(opts, 'T');
  const addrobj = opts.operands[0];
  if (type === undefined || addrobj === undefined) die('Invalid arguments', true);
  const slash = addrobj.indexOf('/');
  if (slash <= 0 || slash === addrobj.length - 1)
    die(`invalid address object name: ${addrobj}`, true);
  const ifname = addrobj.slice(0, slash);
  const name = addrobj.slice(slash + 1);
  if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(name))
    die('Error in creating address object: Invalid argument provided');
  if (type !== 'static') die('Could not create address: Operation not supported');
  let a = lastValue(opts, 'a');
  if (a === undefined) die('Invalid arguments', true);
  a = a.replace(/^local=/, '');
  const cidr = a.includes('/') ? normalizeCidr(a) : undefined;
  if (!cidr || a.split('/')[0]!.split('.').length !== 4)
    die('Error in setting local address: Invalid address');
  const temporary = opts.flags.has('t');
  return updateState(io.root, (state) => {
    if (state.addresses.some((x) => x.addrobj === addrobj))
      die('Could not create address: Address object already exists');
    const problem = linkCheck(state, ifname, temporary);
    if (problem) die(`Could not create address: ${problem}`);
    const host = cidr.split('/')[0];
    if (state.addresses.some((x) => x.addr.split('/')[0] === host))
      die('Could not create address: Address already in use');
    if (!state.interfaces.some((i) => i.name === ifname))
      state.interfaces.push({ name: ifname, temporary, v4: true, v6: false });
    const rec: AddrRecord = { addrobj, ifname, type: 'static', addr: cidr, temporary };
    state.addresses.push(rec);
    return 0;
  });
}

async function deleteAddr(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'r');
  const addrobj = opts.operands[0];
  if (addrobj === undefined) die('Invalid arguments', true);
  if (!addrobj.includes('/')) die(`invalid address object name: ${addrobj}`, true);
  return updateState(io.root, (state) => {
    const at = state.addresses.findIndex((x) => x.addrobj === addrobj);
    if (at < 0) die('could not delete address: Object not found');
    state.addresses.splice(at, 1);
    return 0;
  });
}

function protoOf(state: HostState, proto: string) {
  if (proto === 'ipv4') return state.forwarding.ipv4;
  if (proto === 'ipv6') return state.forwarding.ipv6;
  return undefined;
}

async function setProp(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tp:');
  const p = lastValue(opts, 'p');
  const proto = opts.operands[0];
  if (p === undefined) die('Invalid arguments', true);
  if (proto === undefined) die('protocol must be specified when property name is used');
  if (!['ipv4', 'ipv6', 'tcp', 'udp', 'icmp', 'sctp'].includes(proto))
    die(`invalid protocol '${proto}' specified`);
  const eq = p.indexOf('=');
  if (eq < 0 || eq === p.length - 1) die('please specify the value to be set.', true);
  const prop = p.slice(0, eq).replace(/[+-]$/, '');
  const value = p.slice(eq + 1);
  if (prop !== 'forwarding') die(`set-prop: ${prop}: Unknown property`);
  if (value !== 'on' && value !== 'off') die(`set-prop: forwarding: Invalid argument provided`);
  return updateState(io.root, (state) => {
    const fwd = protoOf(state, proto);
    if (!fwd) die(`set-prop: forwarding: Unknown property`);
    fwd.current = value;
    if (!opts.flags.has('t')) fwd.persistent = value;
    return 0;
  });
}

function showProp(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'cp:o:');
  const state = readState(io.root);
  const protos = opts.operands.length > 0 ? opts.operands : ['ipv4', 'ipv6'];
  const props = (lastValue(opts, 'p') ?? 'forwarding').split(',');
  const rows: Array<Record<string, string>> = [];
  for (const proto of protos) {
    const fwd = protoOf(state, proto);
    if (!fwd) die(`invalid protocol '${proto}' specified`);
    for (const prop of props) {
      if (prop !== 'forwarding') die(`show-prop: ${prop}: Unknown property`);
      rows.push({
        proto,
        property: prop,
        perm: 'rw',
        current: fwd.current,
        persistent: fwd.persistent ?? '',
        default: 'off',
        possible: 'on,off',
      });
    }
  }
  const parsable = opts.flags.has('c');
  if (parsable && !opts.values.has('o')) die('output fields must be specified in parsable mode');
  printTable(
    io,
    PROP_FIELDS,
    ['proto', 'property', 'perm', 'current', 'persistent', 'default', 'possible'],
    lastValue(opts, 'o'),
    parsable,
    rows,
  );
  return 0;
}

const SUBCOMMANDS: Record<string, (io: CommandIo, args: string[]) => number | Promise<number>> = {
  'show-addr': showAddr,
  'show-if': showIf,
  'create-if': createIf,
  'create-ip': createIf,
  'delete-if': deleteIf,
  'delete-ip': deleteIf,
  'create-addr': createAddr,
  'delete-addr': deleteAddr,
  'set-prop': setProp,
  'show-prop': showProp,
  'set-ifprop': async () => 0,
};

export const ipadm: CommandHandler = async (io, args) => {
  const [sub = 'show-addr', ...rest] = args;
  if (sub === 'help') {
    io.out(USAGE);
    return 0;
  }
  try {
    const handler = SUBCOMMANDS[sub];
    if (!handler) die(`unknown subcommand '${sub}'`, true);
    return await handler(io, rest);
  } catch (error) {
    if (error instanceof GetoptError) {
      const msg = error.message.startsWith('option requires')
        ? `option '-${error.option}' requires a value`
        : `unrecognized option '-${error.option}'`;
      io.err(`ipadm: ${msg}\n${USAGE}`);
      io.out('\n');
      return 1;
    }
    if (
      error instanceof CommandExit &&
      (error as CommandExit & { stdoutNewline?: boolean }).stdoutNewline
    ) {
      io.err(error.stderrText);
      io.out('\n');
      return error.exitCode;
    }
    throw error;
  }
};
