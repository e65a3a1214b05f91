import type { HostState, ResourceType, ZoneConfig, ZoneResource } from '../core/state-types.js';
import { BRANDS, findZone, isValidZoneName, templateConfig } from './zone-config.js';
import { attrNameProblem, attrValueProblem } from './zonecfg-attr.js';
import { GLOBAL_ORDER, RESOURCE_ORDER, RESOURCE_PROPS } from './zonecfg-format.js';

/**
 * The state of one zonecfg run: the handle (the configuration being edited), the resource
 * scope, and the flags zonecfg.c keeps (need_to_commit, saw_error, time_to_exit). Errors go
 * through `zerr`, which adds `On line N of FILE:` once per line in command-file mode.
 */
export class ZoneExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface Scope {
  type: ResourceType;
  draft: ZoneResource;
  /** Index of the selected resource, or -1 for `add`. */
  index: number;
}

export class ZonecfgSession {
  handle: ZoneConfig | undefined;
  scope: Scope | undefined;
  needToCommit = false;
  sawError = false;
  timeToExit = false;
  line = 0;
  private lastErrLine = 0;
  stdout = '';
  stderr = '';
  /** The name the zone had when the run started (`set zonename` renames it at commit). */
  readonly originalZone: string;

  constructor(
    public zone: string,
    readonly state: HostState,
    readonly fileName: string | undefined,
  ) {
    this.originalZone = zone;
    const existing = findZone(state, zone);
    if (existing) this.handle = structuredClone(existing.config);
  }

  zerr(text: string): void {
    if (this.fileName !== undefined && this.line > this.lastErrLine) {
      this.stderr +=
        this.fileName === '-'
          ? `On line ${this.line}:\n`
          : `On line ${this.line} of ${this.fileName}:\n`;
      this.lastErrLine = this.line;
    }
    this.stderr += `${text}\n`;
  }

  error(text: string): undefined {
    this.zerr(text);
    this.sawError = true;
  }

  shortUsage(usage: string): void {
    if (this.fileName !== undefined) {
      this.stderr +=
        this.fileName === '-'
          ? `syntax error on line ${this.line}\n`
          : `syntax error on line ${this.line} of ${this.fileName}\n`;
    }
    this.stderr += `usage:\n${usage}\n`;
    this.sawError = true;
  }

  /** initialize(B_TRUE): a handle must exist for most commands. */
  requireHandle(): ZoneConfig | undefined {
    if (!this.handle) this.error(`${this.zone}: No such zone configured`);
    return this.handle;
  }

  zoneState(): string | undefined {
    return findZone(this.state, this.originalZone)?.state;
  }

  installedOrLater(): boolean {
    const s = this.zoneState();
    return s !== undefined && s !== 'configured';
  }
}

export const SHELP: Record<string, string> = {
  add: 'add <resource-type>\n\t(global scope)\nadd <property-name> <property-value>\n\t(resource scope)',
  cancel: 'cancel',
  clear: 'clear <property-name>',
  commit: 'commit',
  create: 'create [-F] [ -a <path> | -b | -t <template> ]',
  delete: 'delete [-F]',
  end: 'end',
  exit: 'exit [-F]',
  export: 'export [-f output-file]',
  help: 'help [commands] [syntax] [usage] [<command-name>]',
  info: 'info [<resource-type> [property-name=property-value]*]',
  remove:
    'remove [-F] <resource-type> [ <property-name>=<property-value> ]*\n\t(global scope)\nremove <property-name> <property-value>\n\t(resource scope)',
  revert: 'revert [-F]',
  select: 'select <resource-type> { <property-name>=<property-value> }',
  set: 'set <property-name>=<property-value>',
  verify: 'verify',
};

export function isResourceType(word: string): word is ResourceType {
  return (RESOURCE_ORDER as string[]).includes(word);
}

export function isGlobalProp(word: string): boolean {
  return GLOBAL_ORDER.includes(word);
}

/** Checks and stores a global property; returns an error text or undefined. */
export function setGlobal(
  session: ZonecfgSession,
  config: ZoneConfig,
  prop: string,
  value: string,
): string | undefined {
  const installed = session.installedOrLater();
  switch (prop) {
    case 'zonename':
      if (!isValidZoneName(value)) return `${value}: Bogus zone name`;
      if (installed) return `Zone ${session.zone} already installed; set zonename not allowed.`;
      if (value !== session.zone && findZone(session.state, value))
        return `${value}: Zone name already in use`;
      session.zone = value;
      return undefined;
    case 'zonepath':
      if (installed) return `Zone ${session.zone} already installed; set zonepath not allowed.`;
      if (!value.startsWith('/')) return `${value} is not an absolute path.`;
      if (/^\/+$/.test(value)) return '/ is not allowed as a zonepath.';
      config.props.zonepath = value;
      return undefined;
    case 'brand':
      if (installed) return `Zone ${session.zone} already installed; set brand not allowed.`;
      if (!BRANDS.includes(value)) return `${value}: Invalid document`;
      config.props.brand = value;
      return undefined;
    case 'autoboot':
      if (value !== 'true' && value !== 'false')
        return `${value} is not a valid value for autoboot.`;
      config.props.autoboot = value;
      return undefined;
    case 'ip-type':
      if (value !== 'exclusive' && value !== 'shared')
        return `${value} is not a valid value for ip-type.`;
      config.props['ip-type'] = value;
      return undefined;
    default:
      config.props[prop] = value;
      return undefined;
  }
}

export function resourcePropAllowed(type: ResourceType, prop: string): boolean {
  return RESOURCE_PROPS[type].includes(prop);
}

/** end_func: required properties and duplicates; returns errors (empty when the resource is fine). */
export function validateResource(config: ZoneConfig, scope: Scope): string[] {
  const r = scope.draft;
  const errors: string[] = [];
  const need = (...props: string[]) => {
    for (const p of props) if (!r.props[p]) errors.push(`${p} not specified`);
  };
  const ipType = config.props['ip-type'] ?? 'shared';
  const absolute = (prop: string) => {
    const v = r.props[prop];
    if (v && !v.startsWith('/')) errors.push(`${prop} ${v} is not an absolute path.`);
  };
  switch (r.type) {
    case 'fs':
      need('dir');
      absolute('dir');
      need('special');
      absolute('raw');
      need('type');
      break;
    case 'net':
      if (ipType === 'shared') need('address', 'physical');
      else need('physical');
      break;
    case 'device':
      need('match');
      break;
    case 'attr': {
      need('name', 'type', 'value');
      const name = attrNameProblem(r.props.name ?? '');
      if (name) errors.push(name);
      const value = attrValueProblem(r.props.type ?? '', r.props.value ?? '');
      if (value) errors.push(value);
      break;
    }
    case 'dataset':
    case 'rctl':
      need('name');
      break;
    case 'dedicated-cpu':
    case 'capped-cpu':
      need('ncpus');
      break;
    case 'admin':
      need('user', 'auths');
      break;
    default:
      break;
  }
  if (errors.length > 0) return errors;
  const key: Partial<Record<ResourceType, string>> = {
    fs: 'dir',
    net: 'physical',
    device: 'match',
    attr: 'name',
    dataset: 'name',
    rctl: 'name',
    admin: 'user',
  };
  const k = key[r.type];
  if (k) {
    const dup = config.resources.findIndex(
      (o, i) =>
        o.type === r.type &&
        o.props[k] === r.props[k] &&
        config.resources.indexOf(o) !== scope.index &&
        i >= 0,
    );
    if (dup >= 0 && dup !== scope.index) {
      // end_func() spells the article into each message: "An attr", "A fs", "A net"
      const article = r.type === 'attr' ? 'An' : 'A';
      errors.push(`${article} ${r.type} resource with the ${k} '${r.props[k]}' already exists.`);
    }
  }
  if (
    (r.type === 'dedicated-cpu' ||
      r.type === 'capped-cpu' ||
      r.type === 'capped-memory' ||
      r.type === 'security-flags') &&
    scope.index < 0
  ) {
    if (config.resources.some((o) => o.type === r.type))
      errors.push(`The ${r.type} resource already exists.`);
  }
  return errors;
}

/** verify_func: the checks zonecfg makes before it saves. */
export function verifyConfig(zone: string, config: ZoneConfig): string[] {
  const errors: string[] = [];
  if (!config.props.zonepath) errors.push('zonepath not specified');
  const exclusive = config.props['ip-type'] === 'exclusive';
  for (const net of config.resources.filter((r) => r.type === 'net')) {
    if (exclusive && net.props.address) {
      errors.push(`net: address cannot be specified for an exclusive IP type`);
    }
    if (!exclusive && net.props['allowed-address']) {
      errors.push('net: allowed-address cannot be specified for a shared IP type');
    }
    if (net.props.defrouter && !net.props.address && !net.props['allowed-address']) {
      errors.push(`net: defrouter can only be specified if address or allowed-address is set`);
    }
  }
  if (!isValidZoneName(zone)) errors.push(`${zone}: Bogus zone name`);
  return errors;
}

export function newTemplate(session: ZonecfgSession, name: string): ZoneConfig | undefined {
  const t = templateConfig(name);
  if (t) return t;
  const other = findZone(session.state, name);
  if (!other) return undefined;
  const copy = structuredClone(other.config);
  delete copy.props.zonepath;
  return copy;
}
