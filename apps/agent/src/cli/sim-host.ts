import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/*
 * `--sim DIR`: the simulated host is driven through its own command line (`apiary-sim init`,
 * `apiary-sim bin-dir`), so the agent holds no simulator code; it only learns where the
 * simulated host's commands are and lets them find their state through ILLUMOS_SIM_ROOT.
 */

function simCli(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@apiary/illumos-sim'));
  for (let i = 0; i < 4; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === '@apiary/illumos-sim') {
      return join(dir, 'bin', 'apiary-sim.js');
    }
    dir = dirname(dir);
  }
  throw new Error('@apiary/illumos-sim is not installed (it is needed for --sim)');
}

/** Initialize `simDir` with the simulator's default host if it is empty or missing. */
export function prepareSimHost(simDir: string): void {
  if (existsSync(simDir) && readdirSync(simDir).length > 0) return;
  execFileSync(process.execPath, [simCli(), 'init', simDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export function simBinDir(): string {
  return execFileSync(process.execPath, [simCli(), 'bin-dir'], { encoding: 'utf8' }).trim();
}
