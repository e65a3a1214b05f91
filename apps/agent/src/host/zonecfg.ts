import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, ZoneName } from './names.js';
import { parseZoneExport, type ZoneConfig } from './zonecfg-format.js';

/** Command files are `zonecfg-<zone>-<12 hex digits>`: one zone's files can be found again. */
const commandFile = (zone: string) => `zonecfg-${zone}-${randomBytes(6).toString('hex')}`;
const isCommandFileOf = (zone: string, file: string) =>
  file.startsWith(`zonecfg-${zone}-`) &&
  /^[0-9a-f]{12}$/.test(file.slice(`zonecfg-${zone}-`.length));

/**
 * Apply a command file with `zonecfg -z NAME -f FILE`. The file is private to the agent (0600)
 * and removed afterwards: configuration never travels on a command line. A file an earlier
 * attempt left (the agent was killed while zonecfg ran, so its clean-up never did) goes first.
 */
export async function applyZoneConfig(
  exec: HostExec,
  name: string,
  commands: string,
  tmpDir: string,
): Promise<void> {
  const zone = checkName(ZoneName, name, 'zone');
  await removeZoneConfigFiles(tmpDir, zone);
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const file = join(tmpDir, commandFile(zone));
  await writeFile(file, commands, { mode: 0o600 });
  try {
    await exec.run('zonecfg', ['-z', zone, '-f', file]);
  } finally {
    await rm(file, { force: true });
  }
}

/**
 * Remove the zone's command files from `tmpDir`: the ones an agent killed during
 * `applyZoneConfig` left behind. Operations on one zone never overlap, so none is in use. The
 * exact name pattern keeps another zone's files (`vm-1` is a prefix of `vm-1-b`) alone.
 */
export async function removeZoneConfigFiles(tmpDir: string, name: string): Promise<void> {
  const zone = checkName(ZoneName, name, 'zone');
  const files = await readdir(tmpDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const file of files.filter((f) => isCommandFileOf(zone, f))) {
    await rm(join(tmpDir, file), { force: true });
  }
}

/** The zone's configuration, or null when no such zone is configured. */
export async function exportZoneConfig(exec: HostExec, name: string): Promise<ZoneConfig | null> {
  const zone = checkName(ZoneName, name, 'zone');
  try {
    const { stdout } = await exec.run('zonecfg', ['-z', zone, 'export']);
    return parseZoneExport(stdout);
  } catch (error) {
    if (failedWith(error, 'No such zone configured')) return null;
    throw error;
  }
}

/** Remove a configured zone; succeeds when it is already gone. */
export async function deleteZoneConfig(exec: HostExec, name: string): Promise<void> {
  const zone = checkName(ZoneName, name, 'zone');
  try {
    await exec.run('zonecfg', ['-z', zone, 'delete', '-F']);
  } catch (error) {
    if (failedWith(error, 'No such zone configured')) return;
    throw error;
  }
}
