import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, ZoneName } from './names.js';
import { splitEscaped } from './split-escaped.js';

export const ZONE_STATES = [
  'configured',
  'incomplete',
  'installed',
  'ready',
  'mounted',
  'running',
  'shutting_down',
  'down',
] as const;
export type ZoneState = (typeof ZONE_STATES)[number];

export interface ZoneListEntry {
  /** null when the zone is not running or ready (`-`). */
  id: number | null;
  name: string;
  state: ZoneState;
  zonepath: string;
  /** Empty until installed. */
  uuid: string;
  brand: string;
  ipType: 'excl' | 'shared';
}

/**
 * Parse `zoneadm list -p` output: `zoneid:zonename:state:zonepath:uuid:brand:ip-type[:debugid]`.
 * Only the zonepath escapes `:` (as `\:`); older illumos prints 7 fields and newer ones may print
 * more, so at least 7 are required and the rest ignored.
 */
export function parseZoneList(stdout: string): ZoneListEntry[] {
  const zones: ZoneListEntry[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const fields = splitEscaped(line);
    if (fields.length < 7) throw new Error(`zoneadm list: malformed line ${JSON.stringify(line)}`);
    const [id, name, state, zonepath, uuid, brand, ipType] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (!(ZONE_STATES as readonly string[]).includes(state)) {
      throw new Error(`zoneadm list: unknown state ${JSON.stringify(state)}`);
    }
    if (ipType !== 'excl' && ipType !== 'shared') {
      throw new Error(`zoneadm list: unknown ip-type ${JSON.stringify(ipType)}`);
    }
    zones.push({
      id: id === '-' ? null : Number(id),
      name,
      state: state as ZoneState,
      zonepath,
      uuid,
      brand,
      ipType,
    });
  }
  return zones;
}

/** Every zone in every state, without the global zone: one command for all VMs. */
export async function listZones(exec: HostExec): Promise<ZoneListEntry[]> {
  const { stdout } = await exec.run('zoneadm', ['list', '-cpn']);
  return parseZoneList(stdout).filter((z) => z.name !== 'global');
}

/** One zone in any state, or null when no such zone is configured. */
export async function getZone(exec: HostExec, name: string): Promise<ZoneListEntry | null> {
  const zone = checkName(ZoneName, name, 'zone');
  try {
    const { stdout } = await exec.run('zoneadm', ['-z', zone, 'list', '-p']);
    return parseZoneList(stdout)[0] ?? null;
  } catch (error) {
    if (failedWith(error, 'No such zone configured')) return null;
    throw error;
  }
}

type Verb = 'install' | 'boot' | 'halt' | 'shutdown' | 'reboot' | 'uninstall';

const ARGS: Record<Verb, string[]> = {
  install: ['install'],
  boot: ['boot'],
  halt: ['halt'],
  shutdown: ['shutdown'],
  reboot: ['reboot'],
  // Never prompt: without -F a non-tty uninstall is refused.
  uninstall: ['uninstall', '-F'],
};

/** Install, boot, halt... one zone. Long-running verbs get a longer timeout. */
export async function zoneadm(
  exec: HostExec,
  name: string,
  verb: Verb,
  timeoutMs = verb === 'shutdown' ? 330_000 : verb === 'install' ? 600_000 : 180_000,
): Promise<void> {
  const zone = checkName(ZoneName, name, 'zone');
  await exec.run('zoneadm', ['-z', zone, ...ARGS[verb]], { timeoutMs });
}
