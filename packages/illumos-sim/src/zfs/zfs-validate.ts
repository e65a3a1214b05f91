import { parseSize } from '../core/sizes.js';
import type { DatasetType } from '../core/state-types.js';
import { canonicalProp, isUserProp, PROPS } from './zfs-props.js';

/**
 * Checks a `prop=value` for a dataset type the way zfs_valid_proplist does, returning the
 * canonical name and normalized value (sizes in bytes) or the reason zfs gives.
 */
export type PropCheck = { prop: string; value: string } | { error: string };

const NUMERIC_NONE = new Set(['quota', 'reservation', 'refreservation', 'refquota']);

export function checkPropSetting(
  rawName: string,
  rawValue: string,
  type: DatasetType,
  creating: boolean,
): PropCheck {
  const prop = canonicalProp(rawName);
  if (prop === undefined) return { error: `invalid property '${rawName}'` };
  if (isUserProp(prop)) {
    if (rawValue.length > 8191) return { error: `property '${prop}' is too long` };
    return { prop, value: rawValue };
  }
  const def = PROPS[prop]!;
  const settableAtCreate = creating && prop === 'volblocksize';
  if ((def.readonly || prop === 'volblocksize') && !settableAtCreate) {
    return { error: `'${prop}' is readonly` };
  }
  if (!def.types.includes(type))
    return { error: `'${prop}' does not apply to datasets of this type` };
  if (def.kind === 'number') {
    if (NUMERIC_NONE.has(prop) && rawValue === 'none') return { prop, value: '0' };
    const n = parseSize(rawValue);
    if (n === undefined) return { error: `bad numeric value '${rawValue}'` };
    if (prop === 'volblocksize' || prop === 'recordsize') {
      const max = prop === 'volblocksize' ? 131072 : 1048576;
      if (n < 512 || n > max || (n & (n - 1)) !== 0) {
        return {
          error: `'${prop}' must be power of 2 from 512B to ${prop === 'volblocksize' ? '128K' : '1M'}`,
        };
      }
    }
    return { prop, value: `${n}` };
  }
  if (def.kind === 'index') {
    if (!def.values!.includes(rawValue)) {
      return { error: `'${prop}' must be one of '${def.values!.join(' | ')}'` };
    }
    return { prop, value: rawValue };
  }
  if (prop === 'mountpoint') {
    if (!(rawValue.startsWith('/') || rawValue === 'none' || rawValue === 'legacy')) {
      return { error: "'mountpoint' must be an absolute path, 'none', or 'legacy'" };
    }
    const clean = rawValue.length > 1 ? rawValue.replace(/\/+$/, '') : rawValue;
    return { prop, value: clean };
  }
  return { prop, value: rawValue };
}

/** Parses repeated `-o prop=value` options; returns an error text or the list. */
export function parseOptionProps(
  values: string[] | undefined,
): { error: string } | { props: Array<[string, string]> } {
  const props: Array<[string, string]> = [];
  for (const item of values ?? []) {
    const eq = item.indexOf('=');
    if (eq < 0) return { error: "missing '=' for property=value argument" };
    const name = item.slice(0, eq);
    if (props.some(([n]) => n === name))
      return { error: `property '${name}' specified multiple times` };
    props.push([name, item.slice(eq + 1)]);
  }
  return { props };
}
