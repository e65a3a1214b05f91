import type { HostState, LinkRecord, OverlayRecord } from '../core/state-types.js';
import { type DlStatus, errnoStatus } from './dladm-errors.js';
import type { ParsedProp } from './dladm-props.js';
import { formatInet6, isV4Mapped, toInet6 } from './inet6.js';
import { readFilesConfig, STRERROR } from './varpd-files.js';

/**
 * Overlay devices as the kernel overlay driver (usr/src/uts/common/io/overlay/overlay.c), its
 * VXLAN plugin (plugins/overlay_vxlan.c) and varpd (usr/src/lib/varpd) model them, driven the
 * way libdladm's dladm_overlay_create() (libdloverlay.c) drives them:
 *
 * 1. the datalink name is taken (EEXIST);
 * 2. OVERLAY_IOC_CREATE: the encapsulation plugin must exist (ENOENT), the vnetid must fit
 *    its id size (VXLAN: 24 bits, EINVAL) and no other device of that plugin may use it (EEXIST);
 * 3. every `-p` property not prefixed `<search>/` is set on the device (unknown: ENOENT);
 * 4. a varpd instance of the search plugin is created (unknown plugin: ENOENT) and given the
 *    `<search>/` properties;
 * 5. the varpd instance is activated: `files` reads its JSON file now;
 * 6. OVERLAY_IOC_ACTIVATE: every required plugin property must be set (EINVAL).
 *
 * Failures after step 2 collect messages that dladm prints as warnings before
 * `overlay creation failed: <status>`.
 */
export const OVERLAY_MTU = { min: 576, def: 1400, max: 8900 };
const ENCAPS: Record<string, { idBits: number; props: string[] }> = {
  vxlan: { idBits: 24, props: ['vxlan/listen_ip', 'vxlan/listen_port'] },
};
const SEARCH_PLUGINS = ['files'];
const DEVICE_PROPS = ['mtu', 'vnetid', 'encap', 'varpd/id'];
const VXLAN_DEFAULT_PORT = 4789;

export interface OverlayRequest {
  name: string;
  encap: string;
  search: string;
  vnetid: bigint;
  props: ParsedProp[];
  temporary: boolean;
}

export interface OverlayFailure {
  status: DlStatus;
  errors: string[];
}

/** strtol as dladm_overlay_parse_prop uses it: leading number, no digits is EINVAL. */
function parseUint(text: string): bigint | undefined {
  const m = /^\s*([-+]?\d+)/.exec(text);
  if (!m) return undefined;
  let n = BigInt(m[1]!);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) return undefined;
  if (n < 0n) n += 2n ** 64n;
  return n;
}

/** vxlan_o_setprop's checks on vxlan/listen_ip. */
function listenIpProblem(w: number[]): boolean {
  const v4compat = w.slice(0, 6).every((x) => x === 0) && (w[6] !== 0 || w[7]! > 1);
  const multicast = w[0]! >> 8 === 0xff;
  const sixToFour = w[0] === 0x2002;
  const v4multicast = isV4Mapped(w) && w[6]! >> 12 === 0xe;
  return v4compat || multicast || sixToFour || v4multicast;
}

/** i_dladm_overlay_setprop + overlay_i_setprop for one device or encapsulation property. */
function setDeviceProp(
  overlay: OverlayRecord,
  link: LinkRecord,
  prop: ParsedProp,
): DlStatus | undefined {
  if (prop.values.length !== 1 || prop.name.length >= 64) return 'badarg';
  const value = prop.values[0]!;
  const encapProps = ENCAPS[overlay.encap]!.props;
  if (!DEVICE_PROPS.includes(prop.name) && !encapProps.includes(prop.name)) return 'notfound';
  if (prop.name === 'encap' || prop.name === 'varpd/id') return errnoStatus('EPERM');
  if (prop.name === 'vxlan/listen_ip') {
    const w = toInet6(value);
    if (!w) return 'badarg';
    if (listenIpProblem(w)) return 'badarg';
    overlay.props[prop.name] = formatInet6(w);
    return undefined;
  }
  const n = parseUint(value);
  if (n === undefined) return 'badarg';
  if (prop.name === 'mtu') {
    const mtu = Number(n & 0xffffffffn);
    if (mtu < OVERLAY_MTU.min || mtu > OVERLAY_MTU.max) return 'badarg';
    link.mtu = mtu;
  } else if (prop.name === 'vnetid') {
    if (n >= 2n ** BigInt(ENCAPS[overlay.encap]!.idBits) - 1n) return 'badarg';
    overlay.vnetid = Number(n);
  } else if (prop.name === 'vxlan/listen_port') {
    if (n === 0n || n > 65535n) return 'badarg';
    overlay.props[prop.name] = `${n}`;
  }
  return undefined;
}

/** Runs dladm_overlay_create against the host; on success the link is added to the state. */
export function createOverlay(
  state: HostState,
  hostRoot: string,
  req: OverlayRequest,
): OverlayFailure | undefined {
  if (state.links.some((l) => l.name === req.name)) return { status: 'exist', errors: [] };
  const encap = ENCAPS[req.encap];
  if (req.encap === '' || req.encap.includes('/')) return { status: 'badarg', errors: [] };
  if (!encap) return { status: 'notfound', errors: [] };
  if (req.vnetid > 2n ** BigInt(encap.idBits) - 1n) return { status: 'badarg', errors: [] };
  const vnetid = Number(req.vnetid);
  if (
    state.links.some(
      (l) => l.overlay && l.overlay.encap === req.encap && l.overlay.vnetid === vnetid,
    )
  )
    return { status: 'exist', errors: [] };
  const overlay: OverlayRecord = {
    encap: req.encap,
    search: req.search,
    vnetid,
    varpdId: state.nextVarpdId ?? 1,
    props: { 'vxlan/listen_port': `${VXLAN_DEFAULT_PORT}` },
    searchProps: {},
  };
  const link: LinkRecord = {
    name: req.name,
    class: 'overlay',
    mtu: OVERLAY_MTU.def,
    state: 'up',
    vid: 0,
    speed: 0,
    temporary: req.temporary,
    props: {},
    mac: '0:0:0:0:0:0',
    overlay,
  };
  const isSearchProp = (p: ParsedProp) => p.name.startsWith(`${req.search}/`);
  for (const prop of req.props.filter((p) => !isSearchProp(p))) {
    const bad = setDeviceProp(overlay, link, prop);
    if (bad) return { status: bad, errors: [`failed to set property ${prop.name}`] };
  }
  if (!SEARCH_PLUGINS.includes(req.search)) {
    return {
      status: 'notfound',
      errors: [`failed to create varpd instance: ${STRERROR.ENOENT}`],
    };
  }
  for (const prop of req.props.filter(isSearchProp)) {
    // the files plugin has one property; libvarpd finds no other name (ENOENT)
    const status: DlStatus | undefined =
      prop.name !== 'files/config'
        ? 'notfound'
        : prop.values.length !== 1 || prop.values[0]!.length >= 256
          ? 'badarg'
          : undefined;
    // dladm_overlay_create hands the dladm_status_t it got back to dladm_errno2status()
    // as if it were an errno: NOTFOUND (5) reads as EIO, BADARG (1) as EPERM
    if (status) {
      return {
        status: status === 'notfound' ? 'ioerr' : 'denied',
        errors: [`failed to set varpd prop: ${prop.name}\n`],
      };
    }
    overlay.searchProps[prop.name] = prop.values[0]!;
  }
  const started = readFilesConfig(hostRoot, overlay.searchProps['files/config']);
  if ('error' in started) {
    const errors = [`failed to activate varpd instance: ${STRERROR[started.error]}`];
    if (overlay.searchProps['files/config'] === undefined)
      errors.push('unset required property: files/config');
    return { status: errnoStatus(started.error === 'EACCES' ? 'EPERM' : started.error), errors };
  }
  const unset = encap.props.filter((p) => overlay.props[p] === undefined);
  if (unset.length > 0) {
    return {
      status: 'badarg',
      errors: [
        'failed to activate device: Invalid argument',
        ...unset.map((p) => `unset required property: ${p}`),
      ],
    };
  }
  overlay.mapping = started.entries;
  state.nextVarpdId = overlay.varpdId + 1;
  state.links.push(link);
  return undefined;
}

/**
 * A VNIC over an overlay starts the device, which opens its underlay UDP socket on
 * vxlan/listen_ip: an address the host does not have fails (EADDRNOTAVAIL, which libdladm
 * maps to `operation failed`). The unspecified address binds everywhere.
 */
export function overlayUnderlayProblem(state: HostState, link: LinkRecord): DlStatus | undefined {
  const ip = link.overlay?.props['vxlan/listen_ip'];
  if (ip === undefined || ip === '0.0.0.0' || ip === '::') return undefined;
  const local = state.addresses.some((a) => a.addr.split('/')[0] === ip);
  return local ? undefined : 'failed';
}

export interface OverlayPropRow {
  link: string;
  property: string;
  perm: string;
  req: string;
  value: string;
  default: string;
  possible: string;
}

/** The rows of `dladm show-overlay`: device, encapsulation, then varpd properties. */
export function overlayPropRows(link: LinkRecord): OverlayPropRow[] {
  const o = link.overlay!;
  const row = (
    property: string,
    perm: string,
    req: boolean,
    value: string | undefined,
    def: string | undefined,
    possible: string | undefined,
  ): OverlayPropRow => ({
    link: link.name,
    property,
    perm,
    req: req ? 'y' : '-',
    value: value ?? '--',
    default: def ?? '--',
    possible: possible ?? '--',
  });
  return [
    row(
      'mtu',
      'rw',
      false,
      `${link.mtu}`,
      `${OVERLAY_MTU.def}`,
      `${OVERLAY_MTU.min}-${OVERLAY_MTU.max}`,
    ),
    row('vnetid', 'rw', false, `${o.vnetid}`, undefined, undefined),
    row('encap', 'r-', false, o.encap, undefined, Object.keys(ENCAPS).join(',')),
    row('varpd/id', 'r-', false, `${o.varpdId}`, undefined, undefined),
    row('vxlan/listen_ip', 'rw', true, o.props['vxlan/listen_ip'], undefined, undefined),
    row(
      'vxlan/listen_port',
      'rw',
      true,
      o.props['vxlan/listen_port'],
      `${VXLAN_DEFAULT_PORT}`,
      '1-65535',
    ),
    row('search', 'r-', false, o.search, undefined, 'direct,files,svp'),
    row('files/config', 'rw', true, o.searchProps['files/config'], undefined, undefined),
  ];
}

/**
 * varpd restarting (svcadm restart network/varpd): it restores every instance it had saved
 * (libvarpd_persist.c) and starts them again, and the `files` plugin reads its file afresh
 * (varpd_files_start): the only way a changed mapping file is taken in.
 */
export function restartVarpd(state: HostState, hostRoot: string): void {
  for (const link of state.links) {
    const o = link.overlay;
    if (o?.search !== 'files') continue;
    const started = readFilesConfig(hostRoot, o.searchProps['files/config']);
    o.mapping = 'error' in started ? null : started.entries;
  }
}
