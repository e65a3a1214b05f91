import { parseMigrateConfig } from '../config.js';
import { configuredDbTarget, openConfiguredDatabase } from '../db/configured-db.js';
import { type DbTarget, describeDbTarget } from '../db/database.js';
import { prepareDataDir } from '../lib/data-dir.js';

interface Out {
  write(text: string): void;
}

/**
 * `apiary-controller migrate [--db sqlite:PATH|postgres://...] [--db-password-file FILE]
 * [--data-dir DIR]`: applies the committed migrations and says what it applied. The routine is
 * the one a starting controller runs, under the same lock, so it is safe beside running or
 * starting controllers and other `migrate` runs: whoever comes second applies nothing.
 * Returns the exit status (0 done, 1 failed, 2 usage).
 */
export async function runMigrate(
  argv: string[],
  env: NodeJS.ProcessEnv,
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  let settings: ReturnType<typeof parseMigrateConfig>;
  let target: DbTarget;
  try {
    settings = parseMigrateConfig(argv, env);
    target = configuredDbTarget(settings);
  } catch (error) {
    // A ConfigError, or a --db that names no usable target: both are usage errors.
    err.write(`apiary-controller migrate: ${(error as Error).message}\n`);
    return 2;
  }
  const where = describeDbTarget(target);
  try {
    // The default SQLite file lives in the data dir, which the first start would create.
    if (!settings.db && settings.dataDir) prepareDataDir(settings.dataDir);
    // One connection is all the migration uses (the lock is a session's).
    const database = await openConfiguredDatabase(target, { ...settings, dbPoolSize: 1 });
    await database.close();
    const { applied, current } = database.migrations;
    for (const tag of applied) out.write(`applied ${tag}\n`);
    out.write(
      applied.length > 0
        ? `${where}: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}; the schema is at ${current}\n`
        : `${where}: the schema is current (${current}); nothing to apply\n`,
    );
    return 0;
  } catch (error) {
    err.write(`apiary-controller migrate: ${where}: ${(error as Error).message}\n`);
    return 1;
  }
}
