import { nicenum } from '../core/sizes.js';
import type { DatasetRecord, DatasetType, HostState } from '../core/state-types.js';
import { DEFAULT_VOLBLOCKSIZE, getDataset, inherited, mountpointOf } from './zfs-model.js';
import { resumeTokenOf } from './zfs-receive-state.js';
import type { SpaceCalculator } from './zfs-space.js';

/**
 * The zfs property table: names, aliases, which dataset types they apply to, whether they are
 * inherited or read-only, their defaults, and how values print (`-p` exact vs human).
 */
export type Kind = 'number' | 'index' | 'string' | 'date' | 'ratio';
export interface PropDef {
  kind: Kind;
  readonly?: boolean;
  inherit?: boolean;
  types: DatasetType[];
  default?: string;
  values?: string[];
}

const ALL: DatasetType[] = ['filesystem', 'volume', 'snapshot'];
const FSVOL: DatasetType[] = ['filesystem', 'volume'];
const FS: DatasetType[] = ['filesystem'];
const VOL: DatasetType[] = ['volume'];
const ONOFF = ['on', 'off'];

export const PROPS: Record<string, PropDef> = {
  type: { kind: 'string', readonly: true, types: ALL },
  creation: { kind: 'date', readonly: true, types: ALL },
  used: { kind: 'number', readonly: true, types: ALL },
  available: { kind: 'number', readonly: true, types: FSVOL },
  referenced: { kind: 'number', readonly: true, types: ALL },
  compressratio: { kind: 'ratio', readonly: true, types: ALL },
  mounted: { kind: 'index', readonly: true, types: FS },
  origin: { kind: 'string', readonly: true, types: FSVOL },
  quota: { kind: 'number', types: FS, default: '0' },
  reservation: { kind: 'number', types: FSVOL, default: '0' },
  volsize: { kind: 'number', types: VOL },
  volblocksize: { kind: 'number', types: VOL },
  recordsize: { kind: 'number', inherit: true, types: FS, default: '131072' },
  mountpoint: { kind: 'string', inherit: true, types: FS },
  sharenfs: { kind: 'string', inherit: true, types: FS, default: 'off' },
  checksum: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'on',
    values: ['on', 'off', 'fletcher2', 'fletcher4', 'sha256', 'sha512', 'skein', 'edonr'],
  },
  compression: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'off',
    values: [
      'on',
      'off',
      'lzjb',
      'gzip',
      'gzip-1',
      'gzip-2',
      'gzip-3',
      'gzip-4',
      'gzip-5',
      'gzip-6',
      'gzip-7',
      'gzip-8',
      'gzip-9',
      'zle',
      'lz4',
      'zstd',
    ],
  },
  atime: { kind: 'index', inherit: true, types: FS, default: 'on', values: ONOFF },
  devices: { kind: 'index', inherit: true, types: FS, default: 'on', values: ONOFF },
  exec: { kind: 'index', inherit: true, types: FS, default: 'on', values: ONOFF },
  setuid: { kind: 'index', inherit: true, types: FS, default: 'on', values: ONOFF },
  readonly: { kind: 'index', inherit: true, types: FSVOL, default: 'off', values: ONOFF },
  zoned: { kind: 'index', inherit: true, types: FS, default: 'off', values: ONOFF },
  snapdir: {
    kind: 'index',
    inherit: true,
    types: FS,
    default: 'hidden',
    values: ['hidden', 'visible'],
  },
  canmount: { kind: 'index', types: FS, default: 'on', values: ['on', 'off', 'noauto'] },
  copies: { kind: 'index', inherit: true, types: FSVOL, default: '1', values: ['1', '2', '3'] },
  refquota: { kind: 'number', types: FS, default: '0' },
  refreservation: { kind: 'number', types: FSVOL, default: '0' },
  primarycache: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'all',
    values: ['all', 'none', 'metadata'],
  },
  secondarycache: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'all',
    values: ['all', 'none', 'metadata'],
  },
  usedbysnapshots: { kind: 'number', readonly: true, types: FSVOL },
  usedbydataset: { kind: 'number', readonly: true, types: FSVOL },
  usedbychildren: { kind: 'number', readonly: true, types: FSVOL },
  usedbyrefreservation: { kind: 'number', readonly: true, types: FSVOL },
  logbias: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'latency',
    values: ['latency', 'throughput'],
  },
  dedup: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'off',
    values: ['on', 'off', 'verify', 'sha256'],
  },
  sync: {
    kind: 'index',
    inherit: true,
    types: FSVOL,
    default: 'standard',
    values: ['standard', 'always', 'disabled'],
  },
  written: { kind: 'number', readonly: true, types: ALL },
  logicalused: { kind: 'number', readonly: true, types: ALL },
  logicalreferenced: { kind: 'number', readonly: true, types: ALL },
  guid: { kind: 'string', readonly: true, types: ALL },
  createtxg: { kind: 'string', readonly: true, types: ALL },
  receive_resume_token: { kind: 'string', readonly: true, types: FSVOL },
};

export const ALIASES: Record<string, string> = {
  avail: 'available',
  refer: 'referenced',
  ratio: 'compressratio',
  reserv: 'reservation',
  refreserv: 'refreservation',
  volblock: 'volblocksize',
  recsize: 'recordsize',
  compress: 'compression',
  rdonly: 'readonly',
  usedsnap: 'usedbysnapshots',
  usedds: 'usedbydataset',
  usedchild: 'usedbychildren',
  usedrefreserv: 'usedbyrefreservation',
  lused: 'logicalused',
  lrefer: 'logicalreferenced',
};

export function isUserProp(name: string): boolean {
  return name.includes(':');
}

/** Canonical property name, or undefined when zfs would reject it. */
export function canonicalProp(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (isUserProp(name)) return name;
  if (Object.hasOwn(PROPS, lower)) return lower;
  return ALIASES[lower];
}

export interface PropValue {
  value: string;
  source: string;
}

const NA: PropValue = { value: '-', source: '-' };

/** A property's value and source for one dataset; `parsable` is `-p`. */
export function propValue(
  state: HostState,
  space: SpaceCalculator,
  ds: DatasetRecord,
  prop: string,
  parsable: boolean,
): PropValue | undefined {
  if (isUserProp(prop)) {
    return inherited(state, ds.name, prop) ?? NA;
  }
  const def = PROPS[prop];
  if (!def) return undefined;
  if (!def.types.includes(ds.type)) return undefined;
  const num = (n: number, source = '-'): PropValue => ({
    value: parsable ? `${n}` : nicenum(n),
    source,
  });
  switch (prop) {
    case 'type':
      return { value: ds.type, source: '-' };
    case 'creation':
      return { value: parsable ? `${ds.creation}` : formatDate(ds.creation), source: '-' };
    case 'used':
      return num(space.used(ds));
    case 'available':
      return num(space.available(ds));
    case 'referenced':
      return num(space.referenced(ds));
    case 'written':
    case 'logicalused':
      return num(prop === 'written' ? space.unique(ds) : space.used(ds));
    case 'logicalreferenced':
      return num(space.referenced(ds));
    case 'usedbysnapshots':
    case 'usedbydataset':
    case 'usedbychildren':
    case 'usedbyrefreservation':
      return num(space.space(ds)[prop]);
    case 'compressratio':
      return { value: parsable ? '1.00' : '1.00x', source: '-' };
    case 'mounted':
      return {
        value: mountpointOf(state, ds.name).value.startsWith('/') && !ds.unmounted ? 'yes' : 'no',
        source: '-',
      };
    case 'receive_resume_token': {
      // absent unless a receive left state: `get all` skips it, a named get prints `-`
      const token = resumeTokenOf(ds);
      return token === undefined ? undefined : { value: token, source: '-' };
    }
    case 'origin':
      return { value: ds.origin ?? '-', source: '-' };
    case 'guid':
      return { value: ds.guid, source: '-' };
    case 'createtxg':
      return { value: `${ds.createtxg}`, source: '-' };
    case 'volsize':
      return num(ds.volsize ?? 0, ds.type === 'snapshot' ? '-' : 'local');
    case 'volblocksize':
      return num(
        ds.volblocksize ?? DEFAULT_VOLBLOCKSIZE,
        ds.props.volblocksize ? 'local' : 'default',
      );
    case 'mountpoint':
      return mountpointOf(state, ds.name);
    default:
      break;
  }
  let found: PropValue | undefined;
  if (def.inherit) found = inherited(state, ds.name, prop);
  else if (Object.hasOwn(ds.props, prop)) found = { value: ds.props[prop]!, source: 'local' };
  else if (ds.received && Object.hasOwn(ds.received, prop))
    found = { value: ds.received[prop]!, source: 'received' };
  const value = found ?? { value: def.default ?? '-', source: 'default' };
  if (def.kind === 'number') {
    const n = Number(value.value) || 0;
    if (
      !parsable &&
      n === 0 &&
      ['quota', 'reservation', 'refreservation', 'refquota'].includes(prop)
    ) {
      return { value: 'none', source: value.source };
    }
    return { value: parsable ? `${n}` : nicenum(n), source: value.source };
  }
  return value;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** zfs's `%a %b %e %H:%M %Y` (UTC here: the simulated host runs in UTC). */
function formatDate(seconds: number): string {
  const d = new Date(seconds * 1000);
  const hh = `${d.getUTCHours()}`.padStart(2, '0');
  const mm = `${d.getUTCMinutes()}`.padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${`${d.getUTCDate()}`.padStart(2, ' ')} ${hh}:${mm} ${d.getUTCFullYear()}`;
}

export function datasetExists(state: HostState, name: string): boolean {
  return getDataset(state, name) !== undefined;
}
