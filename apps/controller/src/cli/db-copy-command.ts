import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { copyDatabase } from '../db/copy-database.js';
import { type DbTarget, describeDbTarget, openDatabase, parseDbTarget } from '../db/database.js';

/**
 * `apiary-controller db copy --from sqlite:/var/lib/apiary/controller.db
 *  --to postgres://apiary@db1/apiary [--to-password-file FILE]`: moves an installation from
 * SQLite to PostgreSQL (stop the controller first). The target's migrations are applied, then
 * every row is copied in one transaction; a target that already holds rows is refused.
 * Returns the exit status.
 */
export async function runDbCopy(
  argv: string[],
  out: { write(line: string): void } = process.stdout,
  err: { write(line: string): void } = process.stderr,
): Promise<number> {
  let from: DbTarget;
  let to: DbTarget;
  let password: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'to-password-file': { type: 'string' },
      },
      strict: true,
    });
    if (!values.from || !values.to)
      throw new Error('give --from sqlite:PATH and --to postgres://...');
    if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(values.to)) {
      // Anyone on the machine can read a command line (ps): the password goes in a file.
      throw new Error(
        '--to: no password on the command line; use --to-password-file (or PGPASSWORD)',
      );
    }
    from = parseDbTarget(values.from);
    to = parseDbTarget(values.to);
    if (to.engine !== 'postgres') throw new Error('--to must be a postgres:// database');
    if (values['to-password-file']) {
      password = readFileSync(values['to-password-file'], 'utf8').trim();
    }
  } catch (error) {
    err.write(`apiary-controller db copy: ${(error as Error).message}\n`);
    return 2;
  }
  const source = await openDatabase(from);
  try {
    const target = await openDatabase(to, password === undefined ? {} : { password });
    try {
      const report = await copyDatabase(source, target);
      const rows = report.tables.reduce((n, t) => n + t.rows, 0);
      for (const t of report.tables) out.write(`${t.table.padEnd(24)} ${t.rows}\n`);
      out.write(
        `copied ${rows} rows from ${describeDbTarget(from)} to ${describeDbTarget(to)}; ` +
          `start the controller with --db ${describeDbTarget(to)}\n`,
      );
      return 0;
    } finally {
      await target.close();
    }
  } catch (error) {
    err.write(`apiary-controller db copy: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await source.close();
  }
}
