import type { Logger } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { migratePg } from './migrate-pg.js';
/*
 * No schema is handed to drizzle: it would build a relational query builder for every table at
 * each transaction and savepoint (~6 µs per placement, profiled), for an API nobody uses here.
 */
export type PgDb = NodePgDatabase;

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
  const db = drizzle(pool, options.logger ? { logger: options.logger } : {});
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
      const handler = (message: pg.Notification) => {
        if (message.channel === CHANNEL && message.payload !== undefined)
          onMessage(message.payload);
      };
      // A connection of its own for as long as it listens: LISTEN belongs to a session. When
      // the session is lost (the database restarted or failed over), the error must not go
      // unhandled (it would end the controller) and a new session listens again. Messages sent
      // in between are lost: NOTIFY keeps nothing for sessions that are not listening.
      let client: pg.PoolClient | null = null;
      let stopped = false;
      let retry: NodeJS.Timeout | null = null;
      const released = new WeakSet<pg.PoolClient>();
      /** Gives a connection back (or destroys it, after an error) exactly once. */
      const giveBack = (c: pg.PoolClient, destroy: boolean) => {
        if (released.has(c)) return;
        released.add(c);
        c.release(destroy || undefined);
      };
      const drop = (lost: pg.PoolClient) => {
        if (client === lost) client = null;
        lost.off('notification', handler);
        giveBack(lost, true);
      };
      const session = async () => {
        const next = await pool.connect();
        next.on('error', () => {
          drop(next);
          if (!stopped) again(1_000);
        });
        next.on('notification', handler);
        try {
          await next.query(`LISTEN ${CHANNEL}`);
        } catch (error) {
          drop(next);
          throw error;
        }
        // Stopped while this session was being made: nothing listens any more.
        if (stopped) giveBack(next, false);
        else client = next;
      };
      const again = (delayMs: number) => {
        if (retry) return;
        retry = setTimeout(() => {
          retry = null;
          if (stopped || client) return;
          session().catch(() => again(Math.min(delayMs * 2, 30_000)));
        }, delayMs);
      };
      await session();
      let stopping: Promise<void> | null = null;
      const stop = () => {
        stopping ??= (async () => {
          stopped = true;
          listening.delete(stop);
          if (retry) clearTimeout(retry);
          const current = client;
          if (!current) return;
          client = null;
          current.off('notification', handler);
          await current.query(`UNLISTEN ${CHANNEL}`).catch(() => {});
          giveBack(current, false);
        })();
        return stopping;
      };
      listening.add(stop);
      return stop;
    },
  };
}
