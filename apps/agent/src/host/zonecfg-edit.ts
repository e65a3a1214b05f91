import type { HostExec } from './exec.js';
import { applyZoneConfig, exportZoneConfig } from './zonecfg.js';
import { quoteValue, type ZoneConfig, type ZoneResource } from './zonecfg-format.js';

/*
 * Changing resources of an existing zone: what a VM change wants is stated as the desired
 * value of each attr, device and fs it manages; the edit reads `zonecfg export` and sends only
 * what differs (`remove ...` / `add ...`), so the same edit after a crash or twice in a row
 * changes nothing more. zonecfg takes these on running zones too: they apply at the next boot.
 */

export interface ZoneEdit {
  /** attr name -> string value; null removes the attr. */
  attrs?: Record<string, string | null>;
  /** `device match=X`: true present, false absent. */
  devices?: Record<string, boolean>;
  /** lofs `fs` by its dir; null removes it. */
  fs?: Record<string, { special: string; options: string[] } | null>;
}

/** The zonecfg commands turning `config` into what `edit` asks (empty: nothing to do). */
export function renderZoneEdit(config: ZoneConfig, edit: ZoneEdit): string[] {
  const lines: string[] = [];
  const find = (type: string, key: string, value: string) =>
    config.resources.find((r) => r.type === type && r.props[key] === value);
  for (const [name, value] of Object.entries(edit.attrs ?? {})) {
    const current = find('attr', 'name', name);
    if (current && value !== null && current.props.value === value) continue;
    if (!current && value === null) continue;
    if (current) lines.push(`remove attr name=${quoteValue(name)}`);
    if (value !== null) {
      lines.push(
        'add attr',
        `set name=${quoteValue(name)}`,
        'set type=string',
        `set value=${quoteValue(value)}`,
        'end',
      );
    }
  }
  for (const [match, wanted] of Object.entries(edit.devices ?? {})) {
    const current = find('device', 'match', match);
    if (wanted && !current) lines.push('add device', `set match=${quoteValue(match)}`, 'end');
    if (!wanted && current) lines.push(`remove device match=${quoteValue(match)}`);
  }
  for (const [dir, wanted] of Object.entries(edit.fs ?? {})) {
    const current = find('fs', 'dir', dir);
    if (current && wanted && sameFs(current, wanted)) continue;
    if (!current && !wanted) continue;
    if (current) lines.push(`remove fs dir=${quoteValue(dir)}`);
    if (wanted) {
      lines.push(
        'add fs',
        `set dir=${quoteValue(dir)}`,
        `set special=${quoteValue(wanted.special)}`,
        'set type=lofs',
        ...wanted.options.map((o) => `add options ${quoteValue(o)}`),
        'end',
      );
    }
  }
  return lines;
}

function sameFs(r: ZoneResource, wanted: { special: string; options: string[] }): boolean {
  const have = r.options.flatMap((o) => o.replace(/^\[|\]$/g, '').split(','));
  return (
    r.props.special === wanted.special &&
    r.props.type === 'lofs' &&
    [...have].sort().join(',') === [...wanted.options].sort().join(',')
  );
}

/** Apply `edit` to zone `name`; false when the zone is not configured. */
export async function editZone(
  exec: HostExec,
  name: string,
  edit: ZoneEdit | ((config: ZoneConfig) => ZoneEdit),
  tmpDir: string,
): Promise<boolean> {
  const config = await exportZoneConfig(exec, name);
  if (!config) return false;
  const lines = renderZoneEdit(config, typeof edit === 'function' ? edit(config) : edit);
  if (lines.length > 0) {
    await applyZoneConfig(exec, name, `${[...lines, 'verify', 'commit'].join('\n')}\n`, tmpDir);
  }
  return true;
}
