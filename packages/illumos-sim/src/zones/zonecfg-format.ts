import type { ResourceType, ZoneConfig, ZoneResource } from '../core/state-types.js';

/**
 * `zonecfg export` and `zonecfg info` output. Export follows OmniOS's zonecfg.c: global
 * properties unquoted, every resource property quoted (`set physical="vm1net0"`), fs options
 * quoted only when they contain `=`. Info prints `name: value`, or `\tprop not specified`
 * inside resources.
 */
export const GLOBAL_ORDER = [
  'zonename',
  'zonepath',
  'brand',
  'autoboot',
  'bootargs',
  'pool',
  'limitpriv',
  'scheduling-class',
  'ip-type',
  'hostid',
  'fs-allowed',
];

export const RESOURCE_ORDER: ResourceType[] = [
  'fs',
  'net',
  'device',
  'rctl',
  'attr',
  'dataset',
  'dedicated-cpu',
  'capped-cpu',
  'capped-memory',
  'admin',
  'security-flags',
];

/** The properties each resource has, in zonecfg's info/export order. */
export const RESOURCE_PROPS: Record<ResourceType, string[]> = {
  fs: ['dir', 'special', 'raw', 'type'],
  net: ['address', 'allowed-address', 'physical', 'mac-addr', 'vlan-id', 'global-nic', 'defrouter'],
  device: ['match'],
  rctl: ['name'],
  attr: ['name', 'type', 'value'],
  dataset: ['name', 'alias'],
  'dedicated-cpu': ['ncpus', 'importance'],
  'capped-cpu': ['ncpus'],
  'capped-memory': ['physical', 'swap', 'locked'],
  admin: ['user', 'auths'],
  'security-flags': ['default', 'lower', 'upper'],
};

/** info prints net properties alphabetically (as in OmniOS's real output). */
const INFO_PROPS: Partial<Record<ResourceType, string[]>> = {
  net: ['address', 'allowed-address', 'defrouter', 'global-nic', 'mac-addr', 'physical', 'vlan-id'],
};

function byType(config: ZoneConfig): ZoneResource[] {
  return RESOURCE_ORDER.flatMap((t) => config.resources.filter((r) => r.type === t));
}

export function exportConfig(config: ZoneConfig): string {
  const p = config.props;
  let out = 'create -b\n';
  const set = (name: string) => {
    if (p[name] !== undefined && p[name] !== '') out += `set ${name}=${p[name]}\n`;
  };
  set('zonepath');
  if (p.brand !== undefined && p.brand !== 'native') set('brand');
  out += `set autoboot=${p.autoboot === 'true' ? 'true' : 'false'}\n`;
  for (const name of ['bootargs', 'pool', 'limitpriv', 'scheduling-class']) set(name);
  out += `set ip-type=${p['ip-type'] === 'exclusive' ? 'exclusive' : 'shared'}\n`;
  for (const name of ['hostid', 'fs-allowed']) set(name);
  for (const r of byType(config)) {
    if (r.type === 'capped-cpu') continue; // an rctl alias: nothing of its own to export
    out += `add ${r.type}\n`;
    for (const prop of RESOURCE_PROPS[r.type]) {
      const v = r.props[prop];
      if (v !== undefined && v !== '') {
        out +=
          r.type === 'dedicated-cpu' || r.type === 'capped-memory'
            ? `set ${prop}=${v}\n`
            : `set ${prop}="${v}"\n`;
      }
    }
    for (const opt of r.options ?? [])
      out += opt.includes('=') ? `add options "${opt}"\n` : `add options ${opt}\n`;
    for (const np of r.property ?? [])
      out += `add property (name=${np.name},value="${np.value}")\n`;
    for (const v of r.value ?? [])
      out += `add value (priv=${v.priv},limit=${v.limit},action=${v.action})\n`;
    out += 'end\n';
  }
  return out;
}

export function infoGlobal(zonename: string, config: ZoneConfig, prop: string): string {
  if (prop === 'zonename') return `zonename: ${zonename}\n`;
  const v = config.props[prop] ?? (prop === 'autoboot' ? 'false' : '');
  return `${prop}: ${v}\n`;
}

export function infoResource(r: ZoneResource): string {
  let out = `${r.type}:\n`;
  for (const prop of INFO_PROPS[r.type] ?? RESOURCE_PROPS[r.type]) {
    const v = r.props[prop];
    out += v === undefined || v === '' ? `\t${prop} not specified\n` : `\t${prop}: ${v}\n`;
  }
  if (r.type === 'fs') out += `\toptions: [${(r.options ?? []).join(',')}]\n`;
  for (const np of r.property ?? []) out += `\tproperty: (name=${np.name},value="${np.value}")\n`;
  for (const v of r.value ?? [])
    out += `\tvalue: (priv=${v.priv},limit=${v.limit},action=${v.action})\n`;
  return out;
}

export function infoAll(zonename: string, config: ZoneConfig): string {
  let out = '';
  for (const prop of GLOBAL_ORDER) out += infoGlobal(zonename, config, prop);
  for (const r of byType(config)) out += infoResource(r);
  return out;
}
