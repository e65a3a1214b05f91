import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The executables in `bin/`, one per simulated program. */
export const PROGRAM_BINARIES = [
  'zoneadm',
  'zonecfg',
  'zfs',
  'zpool',
  'dladm',
  'ipadm',
  'ipnat',
  'ipf',
  'ipfstat',
  'zlogin',
  'pfexec',
  'kstat',
  'psrinfo',
  'prtconf',
  'pagesize',
  'routeadm',
  'hostname',
  'svcs',
  'svcadm',
  'swap',
];

/**
 * Absolute path of the directory holding the executables. Found next to this module first;
 * when this code was bundled into another program, through the package's own location.
 */
export function binDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, '..', 'bin'), join(here, '..', '..', 'bin')]) {
    if (existsSync(join(candidate, 'zoneadm'))) return candidate;
  }
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@apiary/illumos-sim/package.json')), 'bin');
}
