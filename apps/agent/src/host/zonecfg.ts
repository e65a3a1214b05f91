import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, ZoneName } from './names.js';
import { parseZoneExport, type ZoneConfig } from './zonecfg-format.js';

/**
 * Apply a command file with `zonecfg -z NAME -f FILE`. The file is private to the agent (0600)
 * and removed afterwards: configuration never travels on a command line.
 */
export async function applyZoneConfig(
  exec: HostExec,
  name: string,
  commands: string,
  tmpDir: string,
): Promise<void> {
  const zone = checkName(ZoneName, name, 'zone');
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const file = join(tmpDir, `zonecfg-${zone}-${randomBytes(6).toString('hex')}`);
  await writeFile(file, commands, { mode: 0o600 });
  try {
    await exec.run('zonecfg', ['-z', zone, '-f', file]);
  } finally {
    await rm(file, { force: true });
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
