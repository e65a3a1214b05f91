#!/usr/bin/env node
// Makes a fresh clone runnable: the system programs the command needs (scripts/system-packages.mjs),
// pnpm present, dependencies installed from the lockfile, packages built. Cheap when nothing
// changed (turbo caches builds; installs are keyed on the lockfile).
//
//   node scripts/ensure-setup.mjs --for test   # npm test: also chromium, promtool, ...
//   node scripts/ensure-setup.mjs --for dev    # npm run dev
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureSystemPackages } from './system-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.split('@')[1];

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    process.stderr.write(`setup: ${cmd} ${args.join(' ')} failed (exit ${result.status})\n`);
    process.exit(result.status ?? 1);
  }
}

function hasPnpm() {
  try {
    return execFileSync('pnpm', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const { values } = parseArgs({ options: { for: { type: 'string', default: 'dev' } } });
if (!['test', 'dev'].includes(values.for)) {
  process.stderr.write(`setup: --for takes test or dev, not ${values.for}\n`);
  process.exit(2);
}
// First: a missing system program fails in seconds, not after the installs and builds.
const systemError = ensureSystemPackages(values.for, (line) =>
  process.stderr.write(`setup: ${line}\n`),
);
if (systemError) {
  process.stderr.write(`setup: ${systemError}\n`);
  process.exit(1);
}

if (!hasPnpm()) {
  process.stderr.write(`setup: installing pnpm ${pnpmVersion} with npm\n`);
  run('npm', ['install', '--global', `pnpm@${pnpmVersion}`]);
}

const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'pnpm-lock.yaml')))
  .digest('hex');
const stamp = join(root, 'node_modules', '.apiary-lock-sha256');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  process.stderr.write('setup: installing dependencies from the lockfile\n');
  run('pnpm', ['install', '--frozen-lockfile']);
  writeFileSync(stamp, lockHash);
}

run('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only']);
