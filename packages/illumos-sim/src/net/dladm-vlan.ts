import { getopt } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { updateState } from '../core/state-store.js';
import { die, dieOptDup, dieStatus, usage } from './dladm-errors.js';
import { joinPropOptions, parseLinkProps } from './dladm-props.js';
import { applyLinkProps } from './dladm-vnic.js';
import { findLink, isValidLinkName, MAXLINKNAMELEN } from './link-names.js';
import { aggregationOwning, linkBusy, linkSpeed } from './link-usage.js';

/**
 * create-vlan / delete-vlan (do_create_vlan, do_delete_vlan in dladm.c). A VLAN is a VNIC of
 * class `vlan` that uses its link's primary MAC address with a tag (libdlvlan.c calls
 * dladm_vnic_create with DLADM_OPT_VLAN), so the (MAC, VID) pair must be unique on the link
 * (mac_unicast_add: EEXIST, `MAC address is already in use`), it cannot sit on a VNIC, VLAN or
 * an etherstub (no primary client on an anchor: ENXIO, `operation failed`). Without a name the
 * VLAN is named after the link's driver and instance: `e1000g0` with VID 12 is `e1000g12000`.
 */
function implicitName(over: string, vid: number): string | undefined {
  const m = /^(.*?)(\d+)$/.exec(over);
  if (!m || Number(m[2]) >= 1000 || (m[2]!.length > 1 && m[2]!.startsWith('0'))) return undefined;
  return `${m[1]}${vid * 1000 + Number(m[2])}`;
}

export function createVlan(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'tfR:l:v:p:');
  let vid = 0;
  let over: string | undefined;
  for (const [flag, value] of opts.list) {
    if (flag === 'v') {
      if (vid !== 0) dieOptDup('v');
      if (!/^[-+]?\d+$/.test(value!) || Number(value) < 1 || Number(value) > 4094)
        die(`invalid VLAN identifier '${value}'`);
      vid = Number(value);
    }
    if (flag === 'l') {
      if (over !== undefined) dieOptDup('l');
      over = value;
    }
  }
  if (vid === 0 || over === undefined || opts.operands.length > 1) usage();
  let name = opts.operands[0];
  if (name !== undefined) {
    if (name.length >= MAXLINKNAMELEN) die(`vlan name too long '${name}'`);
  } else {
    name = implicitName(over, vid);
    if (name === undefined) die(`invalid link name '${over}'`);
  }
  const vlanName = name;
  const props = parseLinkProps(joinPropOptions(opts.values.get('p')));
  return updateState(io.root, (state) => {
    const lower = findLink(state, over);
    if (!lower) die(`invalid link name '${over}'`);
    if (!props) die('invalid vlan property');
    const failed = (status: Parameters<typeof dieStatus>[0]): never =>
      dieStatus(status, 'create operation failed');
    // the VLAN's own name is checked when its datalink id is created
    if (!isValidLinkName(vlanName)) failed('badarg');
    if (findLink(state, vlanName)) failed('exist');
    if (lower.class === 'vnic' || lower.class === 'vlan') failed('badarg');
    if (aggregationOwning(state, over))
      die(`VLAN over '${over}' may not use default_tag ID (see dladm(8))`);
    if (lower.class === 'etherstub') failed('failed');
    if (state.links.some((l) => l.class === 'vlan' && l.over === over && l.vid === vid))
      failed('macinuse');
    const link = {
      name: vlanName,
      class: 'vlan' as const,
      mtu: lower.mtu,
      state: lower.state,
      over,
      mac: lower.mac,
      macType: 'fixed' as const,
      vid,
      speed: linkSpeed(state, lower),
      temporary: opts.flags.has('t'),
      force: opts.flags.has('f'),
      props: {},
    };
    const bad = applyLinkProps(link, props, lower.mtu);
    if (bad) failed(bad);
    state.links.push(link);
    return 0;
  });
}

export function deleteVlan(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'R:t');
  if (opts.operands.length !== 1) usage();
  const name = opts.operands[0]!;
  return updateState(io.root, (state) => {
    const link = findLink(state, name);
    if (!link) dieStatus('notfound', 'delete operation failed');
    if (link.class !== 'vlan') dieStatus('badarg', 'delete operation failed');
    if (linkBusy(state, name)) dieStatus('linkbusy', 'delete operation failed');
    state.links.splice(state.links.indexOf(link), 1);
    return 0;
  });
}
