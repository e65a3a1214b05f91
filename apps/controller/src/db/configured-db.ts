import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, type DbTarget, openDatabase, parseDbTarget } from './database.js';

export interface DbSettings {
  db?: string | undefined;
  dataDir?: string | undefined;
  dbPasswordFile?: string | undefined;
  dbPoolSize?: number | undefined;
}

/** `--db`, else the SQLite file in the data dir (`DATA_DIR/controller.db`). */
export function configuredDbTarget(settings: DbSettings): DbTarget {
  if (settings.db) return parseDbTarget(settings.db);
  if (!settings.dataDir) throw new Error('no database: give --db or --data-dir');
  return parseDbTarget(`sqlite:${join(settings.dataDir, 'controller.db')}`);
}

/**
 * Opens the configured database, applying pending migrations under the engine's lock; the
 * daemon's start and `apiary-controller migrate` both come through here. The password comes
 * from its file (never a command line).
 */
export function openConfiguredDatabase(target: DbTarget, settings: DbSettings): Promise<Database> {
  return openDatabase(target, {
    ...(settings.dbPoolSize !== undefined ? { poolSize: settings.dbPoolSize } : {}),
    ...(settings.dbPasswordFile
      ? { password: readFileSync(settings.dbPasswordFile, 'utf8').trim() }
      : {}),
  });
}
