import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryLogger } from '@apiary/server-kit';
import { buildAgent } from '../../src/agent.js';
import { createApiKey } from '../../src/auth/api-keys.js';
import { parseConfig } from '../../src/config.js';
import { tempDir } from './temp.js';

/**
 * An agent whose host command directory is empty: any host command it tries fails. For HTTP
 * tests (auth, validation) that must not reach the host at all. Its log (debug and up) is kept
 * in `logLines`.
 */
export function noHostAgent() {
  const { log, lines } = createMemoryLogger('debug');
  const dir = tempDir('nohost');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const config = parseConfig(['--data-dir', join(dir, 'data'), '--illumos-bin', bin], {});
  const agent = buildAgent(config, { log, processMetrics: false });
  const key = (role: 'viewer' | 'operator' | 'admin') =>
    createApiKey(agent.db, { name: role, role }).key;
  return { agent, config, key, logLines: lines };
}
