// The programs from the operating system that Apiary's commands need, and how ensure-setup
// installs the missing ones: Debian packages, with apt-get as root or through sudo, never
// interactively. One line per program; `for` names the commands that need it (`test`: npm test,
// `dev`: npm run dev).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const SYSTEM_PACKAGES = [
  {
    command: 'chromium',
    // The browser tests' own override (test/e2e/support/browser.ts) counts as present. Never
    // `playwright install`: it downloads a browser from outside the distribution.
    env: 'APIARY_CHROMIUM',
    debian: 'chromium',
    why: "the dashboard's browser tests drive it",
    for: ['test'],
  },
  {
    command: 'promtool',
    debian: 'prometheus',
    why: "the metrics tests check the daemons' /metrics with `promtool check metrics`",
    for: ['test'],
  },
  {
    command: 'qemu-img',
    debian: 'qemu-utils',
    why: 'the controller converts qcow2 cloud images to raw with it, and its tests make qcow2 images',
    for: ['test'],
  },
  {
    command: 'initdb',
    // Debian keeps the server programs in /usr/lib/postgresql/<version>/bin, off PATH.
    find: hasPostgresServer,
    debian: 'postgresql',
    why: 'the controller tests run on a throwaway PostgreSQL cluster as well as on SQLite',
    for: ['test'],
  },
];

/** Whether Debian's PostgreSQL server programs are installed (testkit's postgres.ts runs them). */
function hasPostgresServer() {
  try {
    return readdirSync('/usr/lib/postgresql').some((v) => {
      try {
        accessSync(join('/usr/lib/postgresql', v, 'bin', 'initdb'), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  } catch {
    return Boolean(process.env.APIARY_PG_BIN) || onPath('initdb');
  }
}

/** Whether `command` is an executable file in one of PATH's directories. */
function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this one
    }
  }
  return false;
}

function isPresent(entry) {
  if (entry.find) return entry.find();
  const override = entry.env && process.env[entry.env];
  if (override) {
    try {
      accessSync(override, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  }
  return onPath(entry.command);
}

/** How to run apt-get here: directly as root, or through sudo that asks for no password. */
function aptRunner() {
  if (!onPath('apt-get')) return { why: 'apt-get is not available here (not Debian?)' };
  if (process.getuid?.() === 0) return { argv: ['env'] };
  if (!onPath('sudo')) return { why: 'this user is not root and sudo is not installed' };
  const probe = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  if (probe.status !== 0) return { why: 'this user is not root and sudo asks for a password' };
  return { argv: ['sudo', '-n', 'env'] };
}

/**
 * Installs what `purpose` needs and is missing; returns an error line when it cannot, else null.
 * `log` gets one line saying what is installed and why.
 */
export function ensureSystemPackages(purpose, log) {
  const missing = SYSTEM_PACKAGES.filter((e) => e.for.includes(purpose) && !isPresent(e));
  if (missing.length === 0) return null;
  const packages = [...new Set(missing.map((e) => e.debian))];
  const wanted = missing.map((e) => `${e.command} (${e.why})`).join(', ');
  const apt = aptRunner();
  if (!apt.argv) {
    return `missing ${wanted}; cannot install it: ${apt.why}. Install the Debian package(s) ${packages.join(' ')}, then run again.`;
  }
  log(`installing the Debian package(s) ${packages.join(' ')} with apt-get, for ${wanted}`);
  // Recommends stay out: prometheus's would add an exporter daemon on port 9100.
  const env = ['DEBIAN_FRONTEND=noninteractive'];
  const steps = [
    ['apt-get', 'update', '-qq'],
    ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
  ];
  for (const step of steps) {
    const [cmd, ...args] = [...apt.argv, ...env, ...step];
    const result = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) return `\`${step.join(' ')}\` failed (exit ${result.status}).`;
  }
  const still = missing.filter((e) => !isPresent(e));
  if (still.length > 0) {
    return `installed ${packages.join(' ')}, but ${still.map((e) => e.command).join(', ')} is still not found.`;
  }
  return null;
}
