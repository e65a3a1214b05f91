import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '@apiary/server-kit';

/** The agent's stable identity (`host_` + base32), created once and kept in the data dir. */
export function loadOrCreateHostId(dataDir: string): string {
  const path = join(dataDir, 'host-id');
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (/^host_[a-z2-7]{8,40}$/.test(id)) return id;
  } catch {
    // first start
  }
  const id = newId('host');
  writeFileSync(path, `${id}\n`, { mode: 0o644 });
  return id;
}
