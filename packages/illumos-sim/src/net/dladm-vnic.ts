import { getopt, lastValue } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import type { HostState, LinkRecord } from '../core/state-types.js';
import { type DlStatus, die, dieOptDup, dieStatus, usage } from './dladm-errors.js';
import { joinPropOptions, parseLinkProps } from './dladm-props.js';
import {
  findLink,
  formatMac,
  isValidLinkName,
  MAXLINKNAMELEN,
  parseMac,
  randomMac,
} from './link-names.js';
import { aggregationOwning, linkBusy, linkSpeed } from './link-usage.js';
import { overlayUnderlayProblem } from './overlay-model.js';

/**
 * create-vnic / delete-vnic / create-etherstub / delete-etherstub, in the order dladm.c
 * (do_create_vnic, do_delete_vnic_common, do_create_etherstub) and libdlvnic.c
 * (dladm_vnic_create, i_dladm_vnic_common, dladm_vnic_delete) check things.
 */
const MAC_KEYWORDS = ['fixed', 'random', 'factory', 'auto', 'vrrp'];

function macKeyword(text: string): string | undefined {
  // dladm_vnic_str2macaddrtype compares prefixes (strncmp with the keyword's length)
  return MAC_KEYWORDS.find((k) => text.startsWith(k));
}

/** Properties a VNIC takes at creation; mtu is range-checked against the lower link. */
export function applyLinkProps(
  link: LinkRecord,
  props: Array<{ name: string; values: string[] }>,
  maxMtu: number,
): DlStatus | undefined {
  for (const { name, values } of props) {
    if (values.length !== 1) return 'badarg';
    const v = values[0]!;
    if (name === 'mtu') {
      const mtu = Number(v);
      if (!/^\d+$/.test(v) || mtu < 576 || mtu > maxMtu) return 'badarg';
      link.mtu = mtu;
    } else if (!/^[a-z][a-z0-9-]*$/.test(name)) return 'notfound';
    link.props[name] = v;
  }
  return undefined;
}

/** The MTU a new VNIC gets and the largest it may be set to, from the link under it. */
function mtuOver(lower: LinkRecord): { mtu: number; max: number } {
  if (lower.class === 'etherstub') return { mtu: 9000, max: 9000 };
  return { mtu: lower.mtu, max: lower.mtu };
}

export function createVnic(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tfR:l:m:n:p:r:v:V:A:H');
  let macType: string | undefined;
  let mac: number[] | undefined;
  let vid = 0;
  let prefix: number[] | undefined;
  let slot = -1;
  let vrid: string | undefined;
  let af: string | undefined;
  for (const [flag, value] of opts.list) {
    if (flag === 'l' && value!.length >= MAXLINKNAMELEN) die('link name too long');
    if (flag === 'm') {
      if (macType !== undefined) die('cannot specify -m option twice');
      if (value === 'fixed') die("'fixed' is not a valid MAC address");
      macType = macKeyword(value!);
      if (macType === undefined) {
        macType = 'fixed';
        mac = parseMac(value!);
        if (!mac) die('invalid MAC address');
      }
    }
    if (flag === 'n') {
      if (!/^-?\d+$/.test(value!)) die('invalid slot number');
      slot = Number(value);
    }
    if (flag === 'r') {
      const parts = value!.split(':');
      if (parts.length > 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p)))
        die('invalid MAC address');
      prefix = parts.map((p) => Number.parseInt(p, 16));
    }
    if (flag === 'V') {
      if (!/^\d+$/.test(value!) || Number(value) < 1 || Number(value) > 255)
        die(`invalid VRRP identifier '${value}'`);
      vrid = value;
    }
    if (flag === 'A') {
      if (value !== 'inet' && value !== 'inet6') die(`invalid address family '${value}'`);
      af = value;
    }
    if (flag === 'v') {
      if (vid !== 0) dieOptDup('v');
      if (!/^[-+]?\d+$/.test(value!) || Number(value) < 1 || Number(value) > 4094)
        die(`invalid VLAN identifier '${value}'`);
      vid = Number(value);
    }
  }
  macType ??= 'auto';
  if (opts.flags.has('f') && vid === 0) die('-f option can only be used with -v');
  if (prefix && macType !== 'random' && macType !== 'fixed') usage();
  if (macType === 'vrrp') {
    if (vrid === undefined || af === undefined || mac || slot !== -1 || prefix) usage();
  } else if (vrid !== undefined || af !== undefined) usage();
  const over = lastValue(opts, 'l');
  if (over === undefined) usage();
  if (slot !== -1 && macType !== 'factory') usage();
  if (opts.operands.length !== 1) usage();
  const name = opts.operands[0]!;
  if (name.length >= MAXLINKNAMELEN) die(`link name too long '${name}'`);
  if (!isValidLinkName(name)) die(`invalid link name '${name}'`);
  const props = parseLinkProps(joinPropOptions(opts.values.get('p')));
  return updateState(io.root, (state) => {
    const lower = findLink(state, over);
    if (!lower) die(`invalid link name '${over}'`);
    if (!props) die('invalid vnic property');
    const failed = (status: DlStatus): never =>
      dieStatus(status, `vnic creation over ${over} failed`);
    if (findLink(state, name)) failed('exist');
    // links cannot be created on top of VNICs or VLANs (i_dladm_vnic_common)
    if (lower.class === 'vnic' || lower.class === 'vlan') failed('badarg');
    // an aggregation holds its ports exclusively: the VNIC driver gets EBUSY, which dladm
    // reports with its LINKBUSY text
    if (aggregationOwning(state, over))
      die(`VLAN over '${over}' may not use default_tag ID (see dladm(8))`);
    if (macType === 'factory') failed('macfactorynotsup');
    if (macType === 'vrrp') failed('notsup');
    let address = mac ? formatMac(mac) : undefined;
    if (address && address === lower.mac) failed('macnic');
    if (address && state.links.some((l) => l.over === over && l.mac === address && l.vid === vid))
      failed('macinuse');
    if (lower.class === 'overlay') {
      const problem = overlayUnderlayProblem(state, lower);
      if (problem) failed(problem);
    }
    address ??= randomMac(prefix && prefix.length > 0 ? prefix : undefined);
    const { mtu, max } =
      lower.class === 'overlay' ? { mtu: lower.mtu, max: lower.mtu } : mtuOver(lower);
    const link: LinkRecord = {
      name,
      class: 'vnic',
      mtu,
      state: 'up',
      over,
      mac: address,
      macType: macType === 'fixed' ? 'fixed' : 'random',
      vid,
      speed: linkSpeed(state, lower),
      temporary: opts.flags.has('t'),
      props: {},
    };
    const bad = applyLinkProps(link, props, max);
    if (bad) failed(bad);
    state.links.push(link);
    return 0;
  });
}

export function createEtherstub(io: CommandIo, args: string[]): Promise<number> {
  // optstring "tR:" without a leading ':' (dladm.c), so a missing -R value is "unrecognized"
  const opts = getopt(args, 'tR:');
  if (opts.operands.length !== 1) usage();
  const name = opts.operands[0]!;
  if (name.length >= MAXLINKNAMELEN) die(`link name too long '${name}'`);
  if (!isValidLinkName(name)) die(`invalid link name '${name}'`);
  return updateState(io.root, (state) => {
    if (findLink(state, name)) dieStatus('exist', 'etherstub creation failed');
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

/** do_delete_vnic_common: the class check, then the kernel's EBUSY for a held link. */
export function deleteVnicOrEtherstub(
  io: CommandIo,
  args: string[],
  etherstub: boolean,
): Promise<number> {
  const opts = getopt(args, 'R:t');
  if (opts.operands.length !== 1) usage();
  const name = opts.operands[0]!;
  return updateState(io.root, (state: HostState) => {
    const link = findLink(state, name);
    if (!link) die(`invalid link name '${name}'`);
    if (link.class === 'vnic' || link.class === 'etherstub') {
      const isStub = link.class === 'etherstub';
      if (isStub !== etherstub) die(`'${name}' is not ${isStub ? 'a vnic' : 'an etherstub'}`);
    } else {
      dieStatus('badarg', 'vnic deletion failed');
    }
    if (linkBusy(state, name)) dieStatus('linkbusy', 'vnic deletion failed');
    state.links.splice(state.links.indexOf(link), 1);
    return 0;
  });
}
