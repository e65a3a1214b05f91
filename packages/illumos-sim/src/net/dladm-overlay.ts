import { getopt } from '../core/getopt.js';
import { CommandExit, type CommandIo } from '../core/io.js';
import { readState, updateState } from '../core/state-store.js';
import { die, dieStatus, dieStatusList, usage } from './dladm-errors.js';
import { joinPropOptions, parseLinkProps } from './dladm-props.js';
import { findLink, isValidLinkName, MAXLINKNAMELEN } from './link-names.js';
import { linkBusy } from './link-usage.js';
import { formatRows, type OfmtField, openFields } from './ofmt.js';
import { createOverlay, overlayPropRows } from './overlay-model.js';

/**
 * create-overlay / delete-overlay / show-overlay (do_create_overlay, do_delete_overlay,
 * do_show_overlay in dladm.c). show-overlay walks every overlay (or the named links): its
 * property table by default, `-f` the FMA status, `-t` varpd's target cache.
 */
const OVERLAY_FIELDS: OfmtField[] = [
  { name: 'link', width: 19 },
  { name: 'property', width: 19 },
  { name: 'perm', width: 5 },
  { name: 'req', width: 4 },
  { name: 'value', width: 11 },
  { name: 'default', width: 10 },
  { name: 'possible', width: 10 },
];
const FMA_FIELDS: OfmtField[] = [
  { name: 'link', width: 20 },
  { name: 'status', width: 8 },
  { name: 'details', width: 52 },
];
const TARGET_FIELDS: OfmtField[] = [
  { name: 'link', width: 20 },
  { name: 'target', width: 18 },
  { name: 'destination', width: 42 },
];

export function createOverlayCmd(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 'te:v:p:s:');
  let encap: string | undefined;
  let search: string | undefined;
  let vnetid: bigint | undefined;
  for (const [flag, value] of opts.list) {
    if (flag === 'e') encap = value;
    if (flag === 's') search = value;
    if (flag === 'v') {
      // strtoul: leading digits, a sign wraps around; nothing numeric is an error
      const m = /^\s*([-+]?)(\d+)$/.exec(value!);
      if (!m) die(`couldn't parse virtual networkd id: ${value}`);
      let n = BigInt(m[2]!);
      if (n > 2n ** 64n - 1n) die(`virtual networkd id too large: ${value}`);
      if (m[1] === '-' && n !== 0n) n = 2n ** 64n - n;
      vnetid = n;
    }
  }
  if (vnetid === undefined) die('missing required virtual network id');
  if (encap === undefined) die('missing required encapsulation plugin');
  if (search === undefined) die('missing required search plugin');
  if (opts.operands.length !== 1) die('missing device name');
  const name = opts.operands[0]!;
  if (name.length >= MAXLINKNAMELEN) die(`link name too long '${name}'`);
  if (!isValidLinkName(name)) die(`invalid link name '${name}'`);
  if (encap.length + 1 > MAXLINKNAMELEN) die(`encapsulation plugin name too long '${encap}'`);
  // dladm.c prints the encapsulation name here too
  if (search.length + 1 > MAXLINKNAMELEN) die(`search plugin name too long '${encap}'`);
  const props = parseLinkProps(joinPropOptions(opts.values.get('p')));
  if (!props) die('invalid overlay property');
  return updateState(io.root, (state) => {
    const failure = createOverlay(state, io.hostRoot, {
      name,
      encap,
      search,
      vnetid,
      props,
      temporary: opts.flags.has('t'),
    });
    if (failure) dieStatusList(failure.status, failure.errors, 'overlay creation failed');
    return 0;
  });
}

export function deleteOverlayCmd(io: CommandIo, args: string[]): Promise<number> {
  const opts = getopt(args, 't');
  if (opts.operands.length !== 1) usage();
  const name = opts.operands[0]!;
  return updateState(io.root, (state) => {
    const link = findLink(state, name);
    if (!link) dieStatus('notfound', `failed to delete ${name}`);
    if (link.class !== 'overlay') dieStatus('badarg', `failed to delete ${name}`);
    if (linkBusy(state, name)) dieStatus('linkbusy', `failed to delete ${name}`);
    state.links.splice(state.links.indexOf(link), 1);
    return 0;
  });
}

export function showOverlayCmd(io: CommandIo, args: string[]): number {
  const opts = getopt(args, 'o:pft');
  let mode: 'props' | 'fma' | 'target' = 'props';
  let fieldsStr: string | undefined;
  let parsable = false;
  for (const [flag, value] of opts.list) {
    if (flag === 'f') mode = 'fma';
    if (flag === 't') mode = 'target';
    if (flag === 'o') fieldsStr = value;
    if (flag === 'p') parsable = true;
  }
  if (fieldsStr !== undefined && fieldsStr.toLowerCase() === 'all') fieldsStr = undefined;
  const known = mode === 'fma' ? FMA_FIELDS : mode === 'target' ? TARGET_FIELDS : OVERLAY_FIELDS;
  const sel = openFields(known, fieldsStr, parsable, 'dladm');
  if ('error' in sel) throw new CommandExit(1, `${sel.error}\n`);
  for (const w of sel.warnings) io.err(`${w}\n`);
  const state = readState(io.root);
  let failed = false;
  const names = opts.operands.length > 0 ? opts.operands : undefined;
  const links = names
    ? names.flatMap((n) => {
        const l = findLink(state, n);
        if (!l) {
          io.err(`dladm: warning: failed to find ${n}: object not found\n`);
          failed = true;
          return [];
        }
        return [l];
      })
    : state.links.filter((l) => l.class === 'overlay');
  const rows: Array<Record<string, string>> = [];
  for (const link of links) {
    if (link.class !== 'overlay') {
      if (mode === 'fma') {
        // show_one_overlay_fma dies with a message that already ends in a newline
        io.out(formatRows(sel.fields, rows, parsable, !parsable));
        throw new CommandExit(1, `dladm: datalink ${link.name} is not an overlay device\n\n`);
      }
      io.err(`dladm: warning: ${link.name} is not an overlay\n`);
      failed = true;
      continue;
    }
    if (mode === 'fma') rows.push({ link: link.name, status: 'ONLINE', details: '-' });
    // the target cache fills from lookups of guest traffic, which the simulator has none of
    if (mode === 'props') rows.push(...overlayPropRows(link).map((r) => ({ ...r })));
  }
  io.out(formatRows(sel.fields, rows, parsable, !parsable));
  return failed ? 1 : 0;
}
