import { spawnSync } from 'node:child_process';

/**
 * `promtool check metrics` on an exposition; returns what it printed (empty when clean).
 * promtool comes from Debian's `prometheus` package, which the test set-up installs: a machine
 * without it fails here rather than skipping the check.
 */
export function promtoolCheck(exposition: string): string {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is not available: ${run.error.message}`);
  return `${run.stdout}${run.stderr}`.trim();
}
