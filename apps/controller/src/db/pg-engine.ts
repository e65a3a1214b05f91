import type { Logger } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { migratePg } from './migrate-pg.js';
import * as schema from './pg-schema.js';

export type PgDb = NodePgDatabase<typeof schema>;

export interface PgEngineOptions {
  /** Connections in the pool (each controller). */
  poolSize?: number;
  /** Overrides the URL's password (read from --db-password-file). */
  password?: string;
  logger?: Logger;
}

/**
 * The engine for several controllers: node-postgres with a pool, migrations applied under an
 * advisory lock (migrate-pg.ts). Times come back as numbers (bigint columns are read in `number` mode: ms since
 * the epoch stay exact far beyond the year 275,000).
 */
export async function openPgEngine(
  url: string,
  migrationsFolder: string,
  options: PgEngineOptions = {},
) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  // An idle connection the server dropped must not crash the controller; the pool replaces it.
  pool.on('error', () => {});
  let migrations: Awaited<ReturnType<typeof migratePg>>;
  try {
    migrations = await migratePg(pool, migrationsFolder);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const db = drizzle(pool, { schema, ...(options.logger ? { logger: options.logger } : {}) });
  let closed: Promise<void> | null = null;
  // Closing twice (a shutdown path and a test's cleanup) is one close.
  const channel = pgChannel(pool);
  // Listening connections are given back first: the pool ends only once every client is back.
  const close = async () => {
    await channel.stopListening();
    await pool.end();
  };
  return {
    db,
    pool,
    migrations,
    channel: channel as Channel,
    close: () => (closed ??= close()),
  };
}

/** Postgres's LISTEN/NOTIFY channel every controller of an installation shares. */
const CHANNEL = 'apiary_events';

/**
 * Messages between the controllers of one installation, through the database they share:
 * `notify` reaches every controller listening (itself included); a message is at most a few
 * kilobytes (NOTIFY's payload limit is 8000 bytes).
 */
export interface Channel {
  notify(payload: string): Promise<void>;
  /** Delivers each message to `onMessage` until the returned function is called. */
  listen(onMessage: (payload: string) => void): Promise<() => Promise<void>>;
}

function pgChannel(pool: pg.Pool): Channel & { stopListening(): Promise<void> } {
  const listening = new Set<() => Promise<void>>();
  return {
    async stopListening() {
      await Promise.all([...listening].map((stop) => stop()));
    },
    async notify(payload) {
      await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    },
    async listen(onMessage) {
      // A connection of its own for as long as it listens: LISTEN belongs to a session.
      const client = await pool.connect();
      const handler = (message: pg.Notification) => {
        if (message.channel === CHANNEL && message.payload !== undefined)
          onMessage(message.payload);
      };
      client.on('notification', handler);
      await client.query(`LISTEN ${CHANNEL}`);
      let released: Promise<void> | null = null;
      const stop = () => {
        released ??= (async () => {
          listening.delete(stop);
          client.off('notification', handler);
          await client.query(`UNLISTEN ${CHANNEL}`).catch(() => {});
          client.release();
        })();
        return released;
      };
      listening.add(stop);
      return stop;
    },
  };
}
