/*
 * zonecfg command files: rendering (pure) and parsing `zonecfg export` (pure).
 * zonecfg has no escape inside double quotes, so values with `"` or a newline cannot be written
 * at all: rendering refuses them rather than produce a file zonecfg would misread.
 */

export interface ZoneResource {
  type: string;
  props: Record<string, string>;
  /** `add options X` lines inside an fs resource. */
  options: string[];
}

export interface ZoneConfig {
  props: Record<string, string>;
  resources: ZoneResource[];
}

/** Global properties, nets, devices and attrs: everything an Apiary bhyve zone carries. */
export interface BhyveZoneSpec {
  zonepath: string;
  autoboot: boolean;
  nets: Array<{ physical: string; allowedAddress?: string; defrouter?: string }>;
  devices: string[];
  fs?: Array<{ dir: string; special: string; options: string[] }>;
  attrs: Array<[name: string, value: string]>;
}

const NEEDS_QUOTES = /[\s;=,()[\]]/;

/** Quote a property value the way zonecfg's lexer reads it. */
export function quoteValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are refused
  if (/["\u0000-\u001f\u007f]/.test(value)) {
    throw new TypeError(`zonecfg value cannot contain a quote or control character`);
  }
  if (value === '' || NEEDS_QUOTES.test(value)) return `"${value}"`;
  return value;
}

export function renderBhyveZone(spec: BhyveZoneSpec): string {
  const lines = [
    'create -b',
    `set zonepath=${quoteValue(spec.zonepath)}`,
    'set brand=bhyve',
    `set autoboot=${spec.autoboot}`,
    'set ip-type=exclusive',
  ];
  const resource = (
    type: string,
    props: Array<[string, string | undefined]>,
    opts: string[] = [],
  ) => {
    lines.push(`add ${type}`);
    for (const [k, v] of props) if (v !== undefined) lines.push(`set ${k}=${quoteValue(v)}`);
    for (const o of opts) lines.push(`add options ${quoteValue(o)}`);
    lines.push('end');
  };
  for (const fs of spec.fs ?? []) {
    resource(
      'fs',
      [
        ['dir', fs.dir],
        ['special', fs.special],
        ['type', 'lofs'],
      ],
      fs.options,
    );
  }
  for (const net of spec.nets) {
    resource('net', [
      ['physical', net.physical],
      ['allowed-address', net.allowedAddress],
      ['defrouter', net.defrouter],
    ]);
  }
  for (const match of spec.devices) resource('device', [['match', match]]);
  for (const [name, value] of spec.attrs) {
    resource('attr', [
      ['name', name],
      ['type', 'string'],
      ['value', value],
    ]);
  }
  lines.push('verify', 'commit');
  return `${lines.join('\n')}\n`;
}

/** Parse `zonecfg -z NAME export`. */
export function parseZoneExport(text: string): ZoneConfig {
  const config: ZoneConfig = { props: {}, resources: [] };
  let current: ZoneResource | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('create')) continue;
    if (line === 'end') {
      if (current) config.resources.push(current);
      current = null;
      continue;
    }
    const add = /^add\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (add) {
      if (current && add[1] === 'options') {
        current.options.push(unquote(add[2] ?? ''));
      } else {
        current = { type: add[1] as string, props: {}, options: [] };
      }
      continue;
    }
    const set = /^set\s+([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (set) {
      const [, key, value] = set as unknown as [string, string, string];
      (current ? current.props : config.props)[key] = unquote(value);
    }
  }
  return config;
}

/** `attr` resources as a name -> value map. */
export function zoneAttrs(config: ZoneConfig): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const r of config.resources) {
    if (r.type === 'attr' && r.props.name !== undefined) attrs[r.props.name] = r.props.value ?? '';
  }
  return attrs;
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1);
  // fs options print as a list: [ro,nodevices]
  return v;
}
