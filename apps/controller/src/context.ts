import type { Logger } from '@apiary/server-kit';
import type { AgentConnector } from './agents/agent-connector.js';
import type { TargetPolicy } from './agents/agent-target.js';
import type { ControllerConfig } from './config.js';
import type { Db, Engine, Tables } from './db/database.js';
import type { SecretBox } from './lib/cipher.js';
import type { Clock } from './lib/clock.js';
import type { EventBus } from './lib/event-bus.js';
import type { ControllerMetrics } from './metrics.js';
import type { BackgroundWork } from './services/background-work.js';
import type { ConsoleTickets } from './services/consoles/console-tickets.js';
import type { HeldEnvLeases } from './services/envs/env-lock.js';
import type { LivenessTracker } from './services/hosts/liveness-tracker.js';
import type { BlobStore } from './services/images/blob-store.js';
import type { FreeSpace } from './services/images/disk-floor.js';
import type { LeaseHolders } from './services/leases/lease-holders.js';
import type { CandidateIndex } from './services/placement/candidate-index.js';
import type { GroupCommit } from './services/placement/group-commit.js';
import type { SagaEngine } from './services/sagas/saga-engine.js';
import type { StatusCache } from './services/status-cache.js';
import type { AgentAcceptances } from './services/vm-changes/agent-acceptance.js';

/**
 * Everything a service needs, passed explicitly: no module-global database, no `process.env`.
 */
export interface Ctx {
  /** The database, on either engine (see db/database.ts): build queries with `db` on `t`. */
  db: Db;
  t: Tables;
  engine: Engine;
  config: ControllerConfig;
  /** This controller process's id: the holder of the leases it takes. */
  controllerId: string;
  log: Logger;
  clock: Clock;
  metrics: ControllerMetrics;
  events: EventBus;
  box: SecretBox;
  agents: AgentConnector;
  /**
   * Which addresses the controller connects to when asked to reach a URL someone gave it (an
   * agent's address, a cloud image, a box registry): `--allow-agent-targets`.
   */
  targets: TargetPolicy;
  liveness: LivenessTracker;
  /** The hosts placement chooses from, in memory, kept current from the database. */
  candidates: CandidateIndex;
  /** `GET /v1/status`'s aggregates, each part read again only after a change of its tables (status-cache.ts). */
  statusFigures: StatusCache;
  /** `GET /v1/envs`'s and `GET /v1/hosts`'s `total` per filter, read again after their table changes. */
  listTotals: StatusCache;
  /** Placements arriving together share one transaction, a savepoint each (group-commit.ts). */
  placementCommits: GroupCommit;
  work: BackgroundWork;
  /** Where image blobs are kept (a directory or an S3-compatible bucket). */
  blobs: BlobStore;
  /** Free bytes of the file system holding a path (`statfs`; tests inject a fake disk). */
  freeSpace: FreeSpace;
  /** The leases this controller holds, from every part that takes them (health, metrics). */
  leases: LeaseHolders;
  /** The environments whose saga runs here (their leases; see envs/env-lock.ts). */
  envLeases: HeldEnvLeases;
  /** Single-use console tickets (memory only). */
  consoleTickets: ConsoleTickets;
  /** Durable controller sagas (VM changes, issue 13): journaled, adopted after a crash. */
  sagas: SagaEngine;
  /** VM change routes wait here for the agent to take or refuse their request. */
  vmChanges: AgentAcceptances;
}
