import type { CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { HostState, ZoneRecord } from '../core/state-types.js';

/**
 * `zoneadm list`: names by default, `-v` a table, `-p` the parsable
 * `zoneid:zonename:state:zonepath:uuid:brand:ip-type:debugid` lines with `\:` escaping in
 * the zonepath. Running zones only by default, `-i` adds installed, `-c` all configured,
 * `-n` drops the global zone. Kernel-known zones come first (by zoneid), then index order.
 */
const KERNEL_STATES = new Set(['running', 'ready', 'shutting_down', 'down', 'mounted']);
/** `-i`: zone_print_list() prints index entries with a state >= installed; incomplete is below. */
const INSTALLED_OR_LATER = new Set(['installed', ...KERNEL_STATES]);

interface Row {
  id: string;
  name: string;
  state: string;
  path: string;
  uuid: string;
  brand: string;
  ipType: string;
  debugid: string;
}

function globalRow(): Row {
  return {
    id: '0',
    name: 'global',
    state: 'running',
    path: '/',
    uuid: '',
    brand: 'ipkg',
    ipType: 'shared',
    debugid: '0',
  };
}

function rowOf(z: ZoneRecord): Row {
  return {
    id: z.zoneid !== undefined && KERNEL_STATES.has(z.state) ? `${z.zoneid}` : '-',
    name: z.name,
    state: z.state,
    path: z.config.props.zonepath ?? '',
    uuid: z.uuid,
    brand: z.config.props.brand ?? 'ipkg',
    ipType: z.config.props['ip-type'] === 'exclusive' ? 'excl' : 'shared',
    debugid: z.debugid !== undefined ? `${z.debugid}` : '',
  };
}

export function orderedZones(state: HostState): ZoneRecord[] {
  const kernel = state.zones
    .filter((z) => KERNEL_STATES.has(z.state))
    .sort((a, b) => (a.zoneid ?? 0) - (b.zoneid ?? 0));
  const rest = state.zones.filter((z) => !KERNEL_STATES.has(z.state));
  return [...kernel, ...rest];
}

export function listZones(io: CommandIo, flags: Set<string>, only?: ZoneRecord | 'global'): number {
  const state = readState(io.root);
  let rows: Row[];
  if (only !== undefined) rows = [only === 'global' ? globalRow() : rowOf(only)];
  else {
    const wanted = flags.has('c')
      ? () => true
      : flags.has('i')
        ? (z: ZoneRecord) => INSTALLED_OR_LATER.has(z.state)
        : (z: ZoneRecord) => KERNEL_STATES.has(z.state);
    rows = [
      ...(flags.has('n') ? [] : [globalRow()]),
      ...orderedZones(state).filter(wanted).map(rowOf),
    ];
  }
  if (flags.has('p')) {
    for (const r of rows) {
      io.out(
        `${[r.id, r.name, r.state, r.path.replace(/:/g, '\\:'), r.uuid, r.brand, r.ipType, r.debugid].join(':')}\n`,
      );
    }
  } else if (flags.has('v')) {
    // zone_print(): "%*s %-16s %-10s %-30s %-8s %-6s\n" with ZONEID_WIDTH 4
    io.out(
      `${'ID'.padStart(4)} ${'NAME'.padEnd(16)} ${'STATUS'.padEnd(10)} ${'PATH'.padEnd(30)} ${'BRAND'.padEnd(8)} IP    \n`,
    );
    for (const r of rows) {
      io.out(
        `${r.id.padStart(4)} ${r.name.padEnd(16)} ${r.state.padEnd(10)} ${r.path.padEnd(30)} ${r.brand.padEnd(8)} ${r.ipType.padEnd(6)}\n`,
      );
    }
  } else {
    for (const r of rows) io.out(`${r.name}\n`);
  }
  return 0;
}
