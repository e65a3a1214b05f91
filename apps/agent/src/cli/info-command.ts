import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeServing, planServing, splitHostPort } from '@apiary/server-kit';
import { parseConfig } from '../config.js';
import { simBinDir } from './sim-host.js';

/**
 * `apiary-agent info --data-dir DIR [the daemon's other flags]`: what this configuration
 * serves, read from the data dir without starting anything. The fingerprint it prints is what
 * an operator gives the controller when adding the host by address (`apiary hosts add ADDR
 * --fingerprint ...`) or compares when the controller says the certificate changed.
 */
export function runInfoCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
): void {
  const config = parseConfig(argv, env, simBinDir);
  const [host] = splitHostPort(config.listen);
  const lines = [`data dir     ${config.dataDir}`];
  try {
    lines.push(`host id      ${readFileSync(join(config.dataDir, 'host-id'), 'utf8').trim()}`);
  } catch {
    lines.push('host id      (none yet: made at the first start)');
  }
  lines.push(...describeServing(planServing(host, config.dataDir, config), config.listen));
  if (config.controllers) {
    const trust = config.controllerFingerprint
      ? `pinned ${config.controllerFingerprint}`
      : config.controllerCa
        ? `CA ${config.controllerCa}`
        : "the system's CAs";
    lines.push(`controller   ${config.controllers.join(', ')} (trusting ${trust})`);
  }
  out(`${lines.join('\n')}\n`);
}
