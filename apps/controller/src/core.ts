import { join } from 'node:path';
import { StandardClose } from '@apiary/protocol';
import { createLogger, type Logger, newId } from '@apiary/server-kit';
import { createAgentConnector } from './agents/agent-connector.js';
import { type ResolveHost, systemResolve } from './agents/agent-target.js';
import { createAgentTrustPool } from './agents/agent-trust.js';
import { createApp } from './app.js';
import type { ControllerConfig } from './config.js';
import type { Ctx } from './context.js';
import type { Database } from './db/database.js';
import { createConsoleSockets } from './http/console-upgrade.js';
import { EventStreams } from './http/event-streams.js';
import { createHeartbeatLane } from './http/heartbeat-lane.js';
import { createSecretBox, loadOrCreateKeyFile } from './lib/cipher.js';
import { type Clock, systemClock } from './lib/clock.js';
import { EventBus } from './lib/event-bus.js';
import { relayEvents } from './lib/event-relay.js';
import { createControllerMetrics } from './metrics.js';
import { checkSecretKey } from './services/auth/secret-key-check.js';
import { BackgroundWork } from './services/background-work.js';
import { ConsoleTickets } from './services/consoles/console-tickets.js';
import { createDrainWorker } from './services/drain/drain-worker.js';
import { HeldEnvLeases } from './services/envs/env-lock.js';
import { reap } from './services/envs/reaper.js';
import { markCertificateChanged } from './services/hosts/host-certificate.js';
import { LivenessTracker } from './services/hosts/liveness-tracker.js';
import { countOrphans } from './services/hosts/orphan-counts.js';
import { countHosts, persistTransitions } from './services/hosts/persist-liveness.js';
import { createAddedHostPoller } from './services/hosts/poll-added-hosts.js';
import { reconcileHosts } from './services/hosts/reconcile-hosts.js';
import { exchangeLiveness } from './services/hosts/shared-liveness.js';
import { type BlobStore, STALE_UPLOAD_MS } from './services/images/blob-store.js';
import { type FreeSpace, statfsFreeSpace } from './services/images/disk-floor.js';
import { sweepStaging } from './services/images/intake/staging.js';
import { openBlobStore } from './services/images/open-blob-store.js';
import { createIntakeKinds } from './services/images/operations/intake-kinds.js';
import { type Lease, LeaseLost } from './services/leases/lease.js';
import { LeaseHolders } from './services/leases/lease-holders.js';
import { SingletonPasses } from './services/leases/singleton-passes.js';
import { CandidateIndex } from './services/placement/candidate-index.js';
import { GroupCommit } from './services/placement/group-commit.js';
import { placementColumns } from './services/placement/host-writes.js';
import { reservationSql } from './services/placement/reservations.js';
import { SagaEngine, type SagaKind } from './services/sagas/saga-engine.js';
import {
  type CountedTable,
  StatusCache,
  tablesOfNotice,
  tableWritten,
} from './services/status-cache.js';
import { AgentAcceptances } from './services/vm-changes/agent-acceptance.js';
import { createVmChangeKinds } from './services/vm-changes/change-kinds.js';
import { FOLD_EVERY_MS, foldVmCountsOnce } from './services/vm-counts.js';

export interface CoreDeps {
  config: ControllerConfig;
  database: Database;
  clock?: Clock;
  log?: Logger;
  /** How the controller reaches agents (tests: an in-process fake agent). */
  fetch?: typeof fetch;
  /** How agent host names are resolved for the target check (tests: names of fake agents). */
  resolveHost?: ResolveHost;
  /** Key for secrets at rest; default: `<data-dir>/secret.key`, created on first start. */
  secretKey?: Buffer;
  validateResponses?: boolean;
  /** Node.js process metrics at `/metrics` (default on; tests building many cores turn them off). */
  processMetrics?: boolean;
  /** Built dashboard to serve at `/`; default: the @apiary/dashboard package's dist/. */
  dashboardDir?: string;
  /** How free disk space is read (default `statfs`). */
  freeSpace?: FreeSpace;
  /** Where image blobs are kept (default: what `--blob-store` names). */
  blobs?: BlobStore;
}

/** How soon an open console or event stream notices that its caller's credential was revoked. */
const CONSOLE_CHECK_MS = 10_000;
/*
 * The most placements in one group commit: enough to amortize BEGIN/COMMIT over a burst, few
 * enough that a group's transaction (and the host row locks it holds) stays short.
 *
 * SQLite only. On PostgreSQL each placement is its own transaction: a member's host row locks
 * last until its group's COMMIT, across the round trips of every member after it, and every
 * placement (in any controller) and heartbeat share that needs one of those hosts waits that
 * long; under load groups grow to the maximum and the waits to seconds (issue 18). What a group
 * saves there, the COMMIT's WAL flush, PostgreSQL already shares between concurrent commits.
 */
const PLACEMENT_GROUP_MAX = { sqlite: 32, postgres: 1 } as const;

/**
 * The controller without its listening socket: context, HTTP app and background loops. `main`
 * serves `app.fetch`; tests call the loop passes (`sweep`, `reap`, ...) directly.
 */
export async function createControllerCore(deps: CoreDeps) {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const box = createSecretBox(
    deps.secretKey ??
      loadOrCreateKeyFile(config.secretKeyFile ?? join(config.dataDir, 'secret.key')),
  );
  const blobs = deps.blobs ?? openBlobStore(config);
  // Only old leftovers: on shared storage a young one is another controller's upload.
  // A store out of reach does not keep the controller from starting: uploads will say so.
  await blobs.sweepStale(STALE_UPLOAD_MS).then(
    (removed) => {
      if (removed > 0) log.info({ removed, store: blobs.location }, 'removed interrupted uploads');
    },
    (error: Error) =>
      log.warn({ store: blobs.location, err: error.message }, 'could not sweep the blob store'),
  );
  const staged = await sweepStaging({ config }, STALE_UPLOAD_MS);
  if (staged > 0) log.info({ removed: staged }, 'removed interrupted image intakes');
  const liveness = new LivenessTracker(clock, config);
  const candidates = new CandidateIndex();
  const agentTrust = createAgentTrustPool();
  const controllerId = newId('ctl');
  // The kinds need the context they are part of: filled in right after it is built.
  // biome-ignore lint/suspicious/noExplicitAny: each kind has its own input type
  const sagaKinds: SagaKind<any>[] = [];
  const targets = {
    allow: new Set(config.allowAgentTargets),
    resolve: deps.resolveHost ?? systemResolve,
  };
  const ctx: Ctx = {
    controllerId,
    db: deps.database.db,
    t: deps.database.t,
    engine: deps.database.engine,
    config,
    log,
    clock,
    metrics: createControllerMetrics({ processMetrics: deps.processMetrics }),
    events: new EventBus(),
    box,
    targets,
    agents: createAgentConnector({
      box,
      timeoutMs: config.agentTimeoutMs,
      trust: agentTrust,
      fetch: deps.fetch,
      targets,
      onCertificateChanged: (hostId, mismatch) => markCertificateChanged(ctx, hostId, mismatch),
    }),
    liveness,
    candidates,
    statusFigures: new StatusCache(() => ctx.metrics.statusReads.inc(), deps.database.tableChanges),
    listTotals: new StatusCache(undefined, deps.database.tableChanges),
    placementCommits: new GroupCommit(
      deps.database.db,
      {
        // One transaction at a time on SQLite's one connection; on PostgreSQL, half the pool
        // (the other half serves everything else while groups are written).
        concurrentGroups: Math.max(1, Math.floor(deps.database.connections().max / 2)),
        maxMembers: PLACEMENT_GROUP_MAX[deps.database.engine],
      },
      (size) => ctx.metrics.placementGroupSize.observe(size),
    ),
    work: new BackgroundWork(),
    blobs,
    freeSpace: deps.freeSpace ?? statfsFreeSpace,
    leases: new LeaseHolders(),
    envLeases: new HeldEnvLeases(),
    consoleTickets: new ConsoleTickets({
      db: deps.database.db,
      t: deps.database.t,
      clock,
      ttlMs: config.consoleTicketTtlMs,
    }),
    sagas: new SagaEngine({
      data: deps.database,
      controllerId,
      leaseTtlMs: config.sagaLeaseTtlMs,
      log,
      clock,
      kinds: sagaKinds,
    }),
    vmChanges: new AgentAcceptances(),
  };
  sagaKinds.push(...createVmChangeKinds(ctx, ctx.vmChanges), ...createIntakeKinds(ctx));
  await checkSecretKey(ctx, config.secretKeyFile ?? join(config.dataDir, 'secret.key'));
  liveness.load(await ctx.db.select().from(ctx.t.hosts));
  // The candidate index drops what this process's writes may change, and (PostgreSQL) what
  // other controllers' do: their commits notify through the channel, naming the hosts
  // (drizzle/pg hosts_change_ids).
  candidates.applyingItself(reservationSql(ctx));
  candidates.watching(placementColumns(ctx.t.hosts));
  // Status's figures (and the lists' totals) are read again after a write of what
  // they count (status-cache.ts).
  const dropKept = (tables: readonly CountedTable[]) => {
    ctx.statusFigures.invalidate(tables);
    ctx.listTotals.invalidate(tables);
  };
  const stopWriteWatch = deps.database.onWrite((query, params) => {
    candidates.noteWrite(query, params);
    const table = tableWritten(query);
    if (table) dropKept([table]);
  });
  // Several controllers on one PostgreSQL database: each one's events reach every client.
  const stopRelay = deps.database.channel
    ? await relayEvents(ctx.events, deps.database.channel, log, (payload) => {
        // A notice naming hosts (any form the index hears) is a change of the hosts part too.
        const aboutHosts = candidates.hear(payload);
        dropKept(aboutHosts ? ['hosts'] : tablesOfNotice(payload));
      })
    : null;
  ctx.metrics.sources.hostCounts = () => countHosts(ctx);
  ctx.metrics.sources.dbConnections = () => deps.database.connections();
  ctx.metrics.sources.walCheckpoints = () => deps.database.walCheckpoints?.progress() ?? null;
  const stopCheckpointWatch = deps.database.walCheckpoints?.onError((message) => {
    ctx.metrics.sqliteCheckpointErrors.inc();
    log.warn({ error: message }, 'background WAL checkpoint failed');
  });
  ctx.metrics.sources.leases = () => ctx.leases.perLease(clock.now());
  ctx.metrics.sources.leaseCounts = () => ctx.leases.countsByKind(clock.now());

  const drainWorker = createDrainWorker(ctx);
  const poller = createAddedHostPoller(ctx);
  ctx.metrics.sources.orphanCounts = () => countOrphans(ctx);
  /*
   * Loop passes. The singleton ones take the lease they run under (see `leased` below): their
   * writes are conditional on it. Tests call them directly, without one.
   */
  const passes = {
    sweep: () => persistTransitions(ctx, liveness.sweep()),
    exchangeLiveness: () => exchangeLiveness(ctx),
    reconcile: (lease?: Lease) => reconcileHosts(ctx, lease),
    reap: (lease?: Lease) => reap(ctx, lease),
    drainTick: (lease?: Lease) => drainWorker.tick(lease),
    poll: (lease?: Lease) => poller.poll(lease),
    /** Takes over the sagas of controllers that died (any controller may; leases decide). */
    adoptSagas: () => ctx.sagas.adoptOrphans(),
    /** Moves the VM count deltas status would otherwise sum at each read (vm-counts.ts). */
    foldVmCounts: () => foldVmCountsOnce(ctx),
  };
  const consoles = createConsoleSockets(ctx);
  ctx.metrics.sources.consoleSessions = () => consoles.open;
  const eventStreams = new EventStreams(ctx);
  // Revoking a key, ending a session or disabling a user ends what it had open.
  const checkConsoles = async () =>
    (await consoles.closeRevoked()) + (await eventStreams.closeRevoked());
  const app = createApp(ctx, {
    eventStreams,
    dashboardDir: deps.dashboardDir,
    validateResponses: deps.validateResponses,
    kickDrains: () => void runGuarded('drain', leasedDrain),
    kickPoll: () => void runGuarded('poll', leasedPoll),
  });

  const running = new Set<string>();
  async function runGuarded(name: string, fn: () => unknown) {
    // A pass still running is not started again: slow agents must not pile passes up.
    if (running.has(name) || ctx.work.stopping) return;
    running.add(name);
    try {
      await fn();
    } catch (error) {
      log.error({ pass: name, error }, 'background pass failed');
    } finally {
      running.delete(name);
    }
  }

  const singletons = new SingletonPasses(deps.database, controllerId);
  ctx.leases.register(singletons);
  ctx.leases.register(ctx.envLeases);
  // Counted with the environment leases (kind saga), never a series each.
  ctx.leases.register({ kind: 'saga', seriesPerLease: false, leases: () => ctx.sagas.leases() });
  /** A pass one controller of the installation runs at a time (see singleton-passes.ts). */
  const leased = (name: string, intervalMs: number, fn: (lease?: Lease) => unknown) => async () => {
    // The lease outlives a few intervals, so one slow pass does not hand it over.
    if (!(await singletons.mayRun(name, Math.max(10_000, intervalMs * 3)))) return;
    try {
      await fn(singletons.fenceOf(name));
    } catch (error) {
      // Paused past its lease: another controller runs the pass now; this one wrote nothing.
      if (!(error instanceof LeaseLost)) throw error;
      log.warn({ pass: name }, 'pass stopped: its lease was taken over');
    }
  };
  const leasedDrain = leased('drain', config.drainIntervalMs, passes.drainTick);
  const leasedPoll = leased('poll', config.pollIntervalMs, passes.poll);

  const timers: NodeJS.Timeout[] = [];
  function start() {
    const every = (name: string, ms: number, fn: () => unknown) => {
      timers.push(setInterval(() => void runGuarded(name, fn), ms));
    };
    every(
      'sweep',
      Math.max(50, Math.min(1000, Math.floor(config.heartbeatTtlMs / 4))),
      passes.sweep,
    );
    if (ctx.engine === 'postgres') {
      every(
        'liveness-exchange',
        Math.max(50, Math.floor(config.heartbeatTtlMs / 3)),
        passes.exchangeLiveness,
      );
    }
    every('reap', config.reaperIntervalMs, leased('reap', config.reaperIntervalMs, passes.reap));
    every('drain', config.drainIntervalMs, leasedDrain);
    every('poll', config.pollIntervalMs, leasedPoll);
    every(
      'reconcile',
      config.reconcileIntervalMs,
      leased('reconcile', config.reconcileIntervalMs, passes.reconcile),
    );
    every('credentials', CONSOLE_CHECK_MS, checkConsoles);
    // Saga leases are renewed well inside their ttl; orphans are looked for every ttl.
    every('saga-leases', Math.max(100, Math.floor(config.sagaLeaseTtlMs / 3)), () =>
      ctx.sagas.renewLeases(),
    );
    every('saga-adoption', Math.max(200, config.sagaLeaseTtlMs), passes.adoptSagas);
    // Not leased: folds are safe side by side (vm-counts.ts), and each is cheap when few deltas.
    every('vm-counts-fold', FOLD_EVERY_MS, passes.foldVmCounts);
    void runGuarded('saga-adoption', passes.adoptSagas);
    // Resume what a previous run left unfinished, now rather than a reaper interval from now.
    void runGuarded('reap', leased('reap', config.reaperIntervalMs, passes.reap));
  }

  /** Graceful: stop the loops, let in-flight work reach a safe point, then return. */
  async function stop() {
    for (const t of timers) clearInterval(t);
    consoles.closeAll(StandardClose.goingAway, 'the controller is shutting down');
    eventStreams.closeAll();
    await Promise.all([ctx.work.stop(config.shutdownTimeoutMs), ctx.sagas.stop()]);
    await agentTrust.close();
    await singletons.releaseAll();
    await stopRelay?.();
    stopWriteWatch();
    stopCheckpointWatch?.();
    await blobs.close();
  }

  /**
   * Whoever serves `app.fetch` also hands the server's websocket upgrades (consoles) to
   * `handleUpgrade`: `server.on('upgrade', core.handleUpgrade)`.
   */
  return {
    ctx,
    app,
    /** Heartbeats answered before hono: `serveDaemon({ fastLane })` (see heartbeat-lane.ts). */
    fastLane: createHeartbeatLane(ctx, { validateResponses: deps.validateResponses ?? false }),
    handleUpgrade: consoles.handleUpgrade,
    eventStreams,
    /** Ends consoles and event streams whose caller's credential no longer holds. */
    checkCredentials: checkConsoles,
    checkConsoles,
    start,
    stop,
    ...passes,
  };
}
export type ControllerCore = Awaited<ReturnType<typeof createControllerCore>>;
