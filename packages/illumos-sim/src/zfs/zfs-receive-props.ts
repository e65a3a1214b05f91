import type { DatasetRecord, DatasetType } from '../core/state-types.js';
import { canonicalProp, isUserProp, PROPS } from './zfs-props.js';
import { checkPropSetting } from './zfs-validate.js';

/**
 * `zfs receive -o prop=value` and `-x prop` (libzfs_sendrecv.c: zfs_receive_checkprops,
 * zfs_setup_cmdline_props). `-o` sets a property locally on the received dataset, as if
 * `zfs set` ran when it was created; `-x` keeps the stream's value from taking effect (the
 * dataset inherits instead). On the children of a -R stream, `-o` properties are inherited
 * from the top. A -x'd value is not kept as a received value here (ZFS keeps it, hidden by an
 * explicit inherit): `zfs get -o received` does not show it.
 */
export type CmdProps = Array<{ name: string; value: string | undefined }>;

/** Set-once properties count as read-only (zfs_prop_readonly: PROP_ONETIME). */
const ONETIME = new Set(['volblocksize']);

/** zfs_receive_checkprops(): the reason (after `cannot receive: `) a -o/-x is refused. */
export function checkCmdProps(cmd: CmdProps): string | undefined {
  for (const { name } of cmd) {
    if (name === 'origin') continue;
    const prop = canonicalProp(name);
    if (prop === undefined) return `invalid property '${name}'`;
    if (isUserProp(prop)) continue;
    if (PROPS[prop]!.readonly || ONETIME.has(prop) || prop === 'volsize')
      return `invalid property '${name}'`;
  }
  return undefined;
}

export interface PropOverrides {
  local: Record<string, string>;
  excluded: string[];
}

/** zfs_setup_cmdline_props(): what applies to one received dataset, or the error text. */
export function setupCmdProps(
  cmd: CmdProps,
  type: DatasetType,
  recursive: boolean,
  toplevel: boolean,
  errbuf: string,
): PropOverrides | { error: string } {
  const local: Record<string, string> = {};
  const excluded: string[] = [];
  const overrides: Array<[string, string]> = [];
  for (const { name, value } of cmd) {
    if (name === 'origin') continue;
    const prop = canonicalProp(name)!;
    if (!isUserProp(prop) && !PROPS[prop]!.types.includes(type)) {
      if (recursive) continue;
      return { error: `${errbuf}: property '${name}' does not apply to datasets of this type\n` };
    }
    if (value === undefined) excluded.push(prop);
    else overrides.push([name, value]);
  }
  for (const [name, value] of overrides) {
    if (!toplevel) {
      excluded.push(canonicalProp(name)!);
      continue;
    }
    const check = checkPropSetting(name, value, type, false);
    if ('error' in check)
      return { error: `${errbuf}: ${check.error}\n${errbuf}: invalid property value\n` };
    local[check.prop] = check.value;
  }
  return { local, excluded };
}

/** Sets the stream's properties as received ones, minus -x, and -o's as local ones. */
export function applyReceivedProps(
  ds: DatasetRecord,
  streamProps: Record<string, string> | undefined,
  overrides: PropOverrides,
): void {
  if (streamProps !== undefined) {
    const received = { ...streamProps };
    for (const prop of overrides.excluded) delete received[prop];
    if (Object.keys(received).length > 0) ds.received = received;
    else delete ds.received;
  } else if (ds.received) {
    for (const prop of overrides.excluded) delete ds.received[prop];
  }
  Object.assign(ds.props, overrides.local);
}
