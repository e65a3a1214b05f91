import { join } from 'node:path';
import type { ControllerDaemon, Fleet } from '@apiary/testkit';
import Database from 'better-sqlite3';
import pg from 'pg';

type Memo = Record<string, unknown>;

/**
 * Rewrites a saga's memo in the controllers' database while no controller runs: how a test
 * puts the books in the state a controller killed at an exact point (between sending a request
 * and recording its answer) leaves them, which no timing of a kill can hit reliably.
 */
export async function editSagaMemo(
  fleet: Fleet,
  c: ControllerDaemon,
  sagaId: string,
  edit: (memo: Memo) => Memo,
): Promise<void> {
  if (fleet.databaseUrl) {
    const client = new pg.Client({ connectionString: fleet.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ memo: Memo | null }>(
        'SELECT memo FROM sagas WHERE id = $1',
        [sagaId],
      );
      if (rows.length === 0) throw new Error(`no saga ${sagaId}`);
      const memo = edit(rows[0]?.memo ?? {});
      await client.query('UPDATE sagas SET memo = $1::jsonb WHERE id = $2', [
        JSON.stringify(memo),
        sagaId,
      ]);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(join(c.dataDir, 'controller.db'));
  try {
    const row = db.prepare('SELECT memo FROM sagas WHERE id = ?').get(sagaId) as
      | { memo: string | null }
      | undefined;
    if (!row) throw new Error(`no saga ${sagaId}`);
    const memo = edit(row.memo ? (JSON.parse(row.memo) as Memo) : {});
    db.prepare('UPDATE sagas SET memo = ? WHERE id = ?').run(JSON.stringify(memo), sagaId);
  } finally {
    db.close();
  }
}
