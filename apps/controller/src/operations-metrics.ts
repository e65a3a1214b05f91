import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DbConnections } from './db/database.js';
import type { CheckpointProgress } from './db/sqlite-checkpointer.js';

/** Read when `/metrics` is scraped (see core.ts). */
export interface OperationsSources {
  dbConnections: () => DbConnections;
  /** SQLite in a file: the background WAL checkpoints; null otherwise. */
  walCheckpoints: () => CheckpointProgress | null;
  /** Leases that get a series each (the passes), held or not; an epoch when held. */
  leases: () => Array<{ name: string; epoch: number | null }>;
  /** Held leases by kind (every source, including those without a series per lease). */
  leaseCounts: () => Record<string, number>;
}

/**
 * What an operator of several controllers watches: each controller's database connections,
 * the leases it holds, and how long sharing liveness with the others takes.
 */
export function createOperationsMetrics(sources: OperationsSources, registers: Registry[]) {
  return {
    dbConnections: new Gauge({
      name: 'apiary_controller_db_connections',
      help: 'Database connections open (PostgreSQL: the pool, busy and idle; SQLite: its one connection).',
      registers,
      collect() {
        this.set(sources.dbConnections().open);
      },
    }),
    dbConnectionsIdle: new Gauge({
      name: 'apiary_controller_db_connections_idle',
      help: 'Open database connections no query is using (SQLite: 1 unless a transaction holds it).',
      registers,
      collect() {
        this.set(sources.dbConnections().idle);
      },
    }),
    dbConnectionsMax: new Gauge({
      name: 'apiary_controller_db_connections_max',
      help: 'The most database connections this controller opens (--db-pool-size; 1 on SQLite).',
      registers,
      collect() {
        this.set(sources.dbConnections().max);
      },
    }),
    dbWaiting: new Gauge({
      name: 'apiary_controller_db_connection_waiters',
      help: 'Queries waiting for a database connection (PostgreSQL) or for the open transaction to end (SQLite).',
      registers,
      collect() {
        this.set(sources.dbConnections().waiting);
      },
    }),
    sqliteWalPages: new Gauge({
      name: 'apiary_controller_sqlite_wal_pages',
      help: 'SQLite: pages in the WAL file at the last background checkpoint (the commits checkpoint themselves past 10000); 0 on PostgreSQL.',
      registers,
      collect() {
        this.set(sources.walCheckpoints()?.log ?? 0);
      },
    }),
    sqliteWalPagesCopied: new Gauge({
      name: 'apiary_controller_sqlite_wal_pages_copied',
      help: 'SQLite: of those pages, how many the background checkpoint had copied into the database file.',
      registers,
      collect() {
        this.set(sources.walCheckpoints()?.checkpointed ?? 0);
      },
    }),
    sqliteCheckpointErrors: new Counter({
      name: 'apiary_controller_sqlite_checkpoint_errors_total',
      help: 'SQLite: errors of the background WAL checkpoints (each logged; one repeated at every try counts once).',
      registers,
    }),
    leaseHeld: new Gauge({
      name: 'apiary_controller_lease_held',
      help: 'Whether this controller holds the lease (1) or not (0), for each background pass lease it has asked for.',
      labelNames: ['lease'] as const,
      registers,
      collect() {
        this.reset();
        for (const l of sources.leases()) this.set({ lease: l.name }, l.epoch === null ? 0 : 1);
      },
    }),
    leaseEpoch: new Gauge({
      name: 'apiary_controller_lease_epoch',
      help: 'The epoch of each background pass lease this controller holds (raised on every takeover).',
      labelNames: ['lease'] as const,
      registers,
      collect() {
        this.reset();
        for (const l of sources.leases())
          if (l.epoch !== null) this.set({ lease: l.name }, l.epoch);
      },
    }),
    leasesHeld: new Gauge({
      name: 'apiary_controller_leases_held',
      help: 'Leases this controller holds, by kind (pass, and any other kind registered).',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        this.reset();
        for (const [kind, n] of Object.entries(sources.leaseCounts())) this.set({ kind }, n);
      },
    }),
    livenessFlushDuration: new Histogram({
      name: 'apiary_controller_liveness_flush_duration_seconds',
      help: 'Time to write the heartbeats heard since the last flush to the shared database (PostgreSQL; flushes with something to write).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}
