import { statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * validate_zonepath() of zoneadm: an existing zonepath must be accessible to root only. The
 * lines are zoneadm's own (an OmniOS `zoneadm verify` of a mkdir'ed zonepath prints them);
 * verify_details() ends them with `zoneadm: zone NAME failed to verify` (see zone-verify.ts).
 */
const BITS: Array<[number, string]> = [
  [0o040, 'group readable'],
  [0o020, 'group writable'],
  [0o010, 'group executable'],
  [0o004, 'world readable'],
  [0o002, 'world writable'],
  [0o001, 'world executable'],
];

export function zonepathErrors(hostRoot: string, zonepath: string, cmd: string): string {
  let mode: number;
  try {
    mode = statSync(join(hostRoot, zonepath)).mode;
  } catch {
    // verify warns instead (missingZonepathWarning); install and clone create the directory
    if (['verify', 'install', 'clone'].includes(cmd)) return '';
    return `zoneadm: ${zonepath}: No such file or directory\ncould not verify zonepath ${zonepath} because of the above errors.\n`;
  }
  const lines = BITS.filter(([bit]) => mode & bit).map(
    ([, what]) => `${zonepath} must not be ${what}.\n`,
  );
  if (lines.length === 0) return '';
  return `${lines.join('')}could not verify zonepath ${zonepath} because of the above errors.\n`;
}

export function missingZonepathWarning(zonepath: string): string {
  return `WARNING: ${zonepath} does not exist, so it could not be verified.\nWhen 'zoneadm install' is run, 'install' will try to create\n${zonepath}, and 'verify' will be tried again,\nbut the 'verify' may fail if:\nthe parent directory of ${zonepath} is group- or other-writable\nor\n${zonepath} overlaps with any other installed zones.\n`;
}
