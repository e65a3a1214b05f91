import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AgentRole } from '@apiary/protocol';
import { createApiKey } from '../auth/api-keys.js';
import { removeClaimToken } from '../auth/claim-token.js';
import { ConfigError } from '../config.js';
import { openDatabase } from '../db/open.js';

/**
 * `apiary-agent keys create --data-dir DIR --role admin [--name NAME]`: mint a key on the host
 * itself (for whoever can read the data dir) and print it once.
 */
export function runKeysCommand(argv: string[], out: (line: string) => void): void {
  const [verb, ...rest] = argv;
  if (verb !== 'create')
    throw new ConfigError(
      'usage: apiary-agent keys create --data-dir DIR [--role admin|operator|viewer] [--name NAME]',
    );
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        'data-dir': { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const dataDir = values['data-dir'];
  if (!dataDir) throw new ConfigError('--data-dir DIR is required');
  const role = AgentRole.safeParse(values.role ?? 'admin');
  if (!role.success) throw new ConfigError('--role must be viewer, operator or admin');
  const name = values.name ?? `${role.data}-cli`;
  if (name.length > 64) throw new ConfigError('--name is limited to 64 characters');
  const db = openDatabase(join(dataDir, 'agent.db'));
  try {
    const { record, key } = createApiKey(db, { name, role: role.data });
    // A key made on the host makes the claim token pointless: remove it.
    removeClaimToken(dataDir);
    out(`${key}\n`);
    out(`# key ${record.id} (${record.role}); shown once, stored hashed\n`);
  } finally {
    db.$client.close();
  }
}
