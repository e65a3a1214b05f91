import { GetoptError, getopt, lastValue } from '../core/getopt.js';
import { CommandExit, type CommandHandler, type CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import type { HostState, LinkRecord } from '../core/state-types.js';
import { isZoneActive } from '../zones/zone-usage.js';
import { showEtherstub, showLink, showPhys, showVnic } from './dladm-show.js';
import { findLink, formatMac, isValidLinkName, parseMac, randomMac } from './link-names.js';

/**
 * dladm: links, VNICs and etherstubs. Errors are `dladm: <msg>` with exit 1; argument errors
 * print the subcommand usage and exit 1 as dladm's die_opterr does.
 */
const USAGE: Record<string, string> = {
  'create-vnic':
    'create-vnic      [-t] -l <link> [-m <value> | auto |\n\t\t    {factory [-n <slot-id>]} | {random [-r <prefix>]} |\n\t\t    {vrrp -V <vrid> -A {inet | inet6}} [-v <vid> [-f]]\n\t\t    [-p <prop>=<value>[,...]] <vnic-link>',
  'delete-vnic': 'delete-vnic      [-t] <vnic-link>',
  'create-etherstub': 'create-etherstub [-t] <link>',
  'delete-etherstub': 'delete-etherstub [-t] <link>',
  'set-linkprop': 'set-linkprop     [-t] -p <prop>=<value>[,...] <name>',
};

function die(msg: string): never {
  throw new CommandExit(1, `dladm: ${msg}\n`);
}

function usage(sub: string, msg?: string): never {
  throw new CommandExit(1, `${msg ? `dladm: ${msg}\n` : ''}usage: ${USAGE[sub] ?? ''}\n`);
}

function parseProps(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return {};
  const out: Record<string, string> = {};
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return undefined;
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function applyProps(
  link: LinkRecord,
  props: Record<string, string>,
  over: LinkRecord | undefined,
): string | undefined {
  for (const [k, v] of Object.entries(props)) {
    if (!/^[a-z][a-z0-9-]*$/.test(k)) return 'invalid argument';
    if (k === 'mtu') {
      const mtu = Number(v);
      const max = over?.class === 'etherstub' ? 9000 : (over?.mtu ?? 9000);
      if (!/^\d+$/.test(v) || mtu < 576 || mtu > Math.max(max, 1500)) return 'invalid argument';
      link.mtu = mtu;
    }
    link.props[k] = v;
  }
  return undefined;
}

function createVnic(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tR:l:m:n:r:v:fp:H');
  if (opts.operands.length !== 1) usage('create-vnic');
  const name = opts.operands[0]!;
  const over = lastValue(opts, 'l');
  const vidText = lastValue(opts, 'v');
  if (opts.flags.has('f') && vidText === undefined) die('-f option can only be used with -v');
  let vid = 0;
  if (vidText !== undefined) {
    vid = Number(vidText);
    if (!/^\d+$/.test(vidText) || vid < 1 || vid > 4094)
      die(`invalid VLAN identifier '${vidText}'`);
  }
  const macText = lastValue(opts, 'm');
  let mac: string | undefined;
  let macType: LinkRecord['macType'] = 'random';
  if (macText !== undefined && !['auto', 'random', 'factory'].includes(macText)) {
    const octets = parseMac(macText);
    if (!octets) die('invalid MAC address');
    mac = formatMac(octets);
    macType = 'fixed';
  }
  const props = parseProps(lastValue(opts, 'p'));
  if (!props) die(`invalid property list '${lastValue(opts, 'p')}'`);
  if (over === undefined)
    usage('create-vnic', 'link over which VNIC should be created must be specified');
  return updateState(io.root, (state) => {
    const lower = findLink(state, over);
    if (!lower || lower.class === 'vnic') die(`invalid link name '${over}'`);
    if (!isValidLinkName(name)) die(`invalid link name '${name}'`);
    if (findLink(state, name)) die(`vnic creation over ${over} failed: object already exists`);
    if (mac && state.links.some((l) => l.mac === mac && l.over === over)) {
      die(`vnic creation over ${over} failed: MAC address is already in use`);
    }
    let prefix: number[] | undefined;
    const r = lastValue(opts, 'r');
    if (r !== undefined) {
      prefix = r.split(':').map((p) => Number.parseInt(p, 16));
      if (prefix.some((p) => Number.isNaN(p) || p > 255) || prefix.length > 5)
        die('invalid MAC address prefix');
    }
    const link: LinkRecord = {
      name,
      class: 'vnic',
      mtu: lower.class === 'etherstub' ? 9000 : lower.mtu,
      state: 'up',
      over,
      mac: mac ?? randomMac(prefix),
      macType,
      vid,
      speed: lower.class === 'etherstub' ? 0 : lower.speed,
      temporary: opts.flags.has('t'),
      props: {},
    };
    const bad = applyProps(link, props, lower);
    if (bad) die(`vnic creation over ${over} failed: ${bad}`);
    state.links.push(link);
    return 0;
  });
}

/** A link a running zone holds (its `net physical`) or with an IP interface on it is busy. */
function linkBusy(state: HostState, name: string): boolean {
  return (
    state.zones.some(
      (z) =>
        isZoneActive(z) &&
        z.config.resources.some((r) => r.type === 'net' && r.props.physical === name),
    ) ||
    state.interfaces.some((i) => i.name === name) ||
    state.links.some((l) => l.over === name)
  );
}

function deleteLink(io: CommandIo, args: string[], cls: 'vnic' | 'etherstub'): Promise<number> {
  const sub = `delete-${cls}`;
  const opts = getopt(args, 'tR:');
  if (opts.operands.length !== 1) usage(sub);
  const name = opts.operands[0]!;
  return updateState(io.root, (state) => {
    const link = findLink(state, name);
    if (!link) die(`invalid link name '${name}'`);
    if (link.class !== cls) die(`'${name}' is not ${cls === 'vnic' ? 'a vnic' : 'an etherstub'}`);
    if (linkBusy(state, name)) die(`${cls} deletion failed: link busy`);
    state.links.splice(state.links.indexOf(link), 1);
    return 0;
  });
}

function createEtherstub(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tR:');
  if (opts.operands.length !== 1) usage('create-etherstub');
  const name = opts.operands[0]!;
  return updateState(io.root, (state) => {
    if (!isValidLinkName(name)) die(`invalid link name '${name}'`);
    if (findLink(state, name)) die('etherstub creation failed: object already exists');
    state.links.push({
      name,
      class: 'etherstub',
      mtu: 9000,
      state: 'unknown',
      vid: 0,
      speed: 0,
      temporary: opts.flags.has('t'),
      props: {},
      mac: randomMac(),
    });
    return 0;
  });
}

function setLinkprop(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tR:p:');
  if (opts.operands.length !== 1 || !opts.values.has('p')) usage('set-linkprop');
  const props = parseProps(lastValue(opts, 'p'));
  if (!props) die(`invalid property list '${lastValue(opts, 'p')}'`);
  const name = opts.operands[0]!;
  return updateState(io.root, (state) => {
    const link = findLink(state, name);
    if (!link) die(`invalid link name '${name}'`);
    const bad = applyProps(link, props, findLink(state, link.over ?? ''));
    if (bad) die(`set-linkprop failed: ${bad}`);
    return 0;
  });
}

const SUBCOMMANDS: Record<string, (io: CommandIo, args: string[]) => number | Promise<number>> = {
  'show-link': showLink,
  'show-vnic': showVnic,
  'show-phys': showPhys,
  'show-etherstub': showEtherstub,
  'create-vnic': createVnic,
  'delete-vnic': (io, a) => deleteLink(io, a, 'vnic'),
  'create-etherstub': createEtherstub,
  'delete-etherstub': (io, a) => deleteLink(io, a, 'etherstub'),
  'set-linkprop': setLinkprop,
};

export const dladm: CommandHandler = async (io, args) => {
  const [sub = 'show-link', ...rest] = args;
  const handler = SUBCOMMANDS[sub];
  if (!handler) {
    io.err(
      `dladm: unknown subcommand '${sub}'\nusage: dladm <subcommand> <args> ...\n${Object.values(
        USAGE,
      )
        .map((u) => `    ${u}\n`)
        .join('')}`,
    );
    return 1;
  }
  try {
    return await handler(io, rest);
  } catch (error) {
    if (error instanceof GetoptError) {
      const msg = error.message.startsWith('option requires')
        ? `option requires an argument '-${error.option}'`
        : `unrecognized option '-${error.option}'`;
      io.err(`dladm: ${msg}\n`);
      if (USAGE[sub]) io.err(`usage: ${USAGE[sub]}\n`);
      return 1;
    }
    throw error;
  }
};
