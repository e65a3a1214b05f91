import { mkdirSync, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import {
  createLogger,
  type Logger,
  type PeerTrust,
  splitHostPort,
  trustedFetch,
} from '@apiary/server-kit';
import type { Hono } from 'hono';
import { createApp } from './app.js';
import { countUserKeys, rotateControllerKey } from './auth/api-keys.js';
import { ensureClaimToken } from './auth/claim-token.js';
import { HostResources, usedResources } from './capacity/host-capacity.js';
import type { AgentConfig } from './config.js';
import { createConsoleUpgrade } from './console/console-upgrade.js';
import { serialSession } from './console/serial-session.js';
import { vncSession } from './console/vnc-session.js';
import { ControllerLink } from './controller/controller-link.js';
import { buildInventory } from './controller/inventory.js';
import { bumpGeneration, currentGeneration } from './db/meta-store.js';
import { type Db, openDatabase } from './db/open.js';
import type { AgentDeps } from './deps.js';
import { createHostExec, type HostExec } from './host/exec.js';
import { readHostname } from './host/host-resources.js';
import { createLayout } from './host/layout.js';
import { DEFAULT_BOOT_CHECK } from './host/zone-boot.js';
import type { AgentEnv } from './http/env.js';
import { loadOrCreateHostId } from './identity/host-id.js';
import { ImageService } from './images/image-service.js';
import { type AgentMetricSources, createAgentMetrics } from './metrics.js';
import { createMigrations, type MigrationOptions } from './migrations/migrations.js';
import { reconcileEnvOverlays } from './network/env-overlay-service.js';
import { HostNetwork } from './network/host-network.js';
import { type NetworksContext, reconcileNetworks } from './network/network-service.js';
import { RecipeRuns } from './recipes/recipe-runs.js';
import { StatsSampler } from './stats/stats-sampler.js';
import { registerUsageMetrics } from './stats/usage-metrics.js';
import { UsageReporter } from './stats/usage-reporter.js';
import { vmSubjectReader } from './stats/vm-subjects.js';
import { refreshCharges } from './storage/dataset-service.js';
import { storageContext } from './storage/storage-context.js';
import { StorageSetup } from './storage/storage-setup.js';
import { restoreSwap } from './storage/swap-service.js';
import { freePortCount } from './vms/allocations.js';
import { OperationRunner } from './vms/operation-runner.js';
import { reconcileAtStart, reconcileForwards, retryCleanups } from './vms/reconcile.js';
import { VmChangeService } from './vms/vm-change-service.js';
import type { VmHostDeps } from './vms/vm-host-deps.js';
import { VmService } from './vms/vm-service.js';
import { countVmsByState } from './vms/vm-store.js';

export interface AgentOptions {
  log?: Logger;
  /** Node.js process metrics at `/metrics` (default on; tests building many agents turn them off). */
  processMetrics?: boolean;
  /** How the agent talks to the controller; default: trusting it as configured. */
  fetch?: typeof fetch;
  /** Base URL the controller reaches this agent at (defaults from --listen / --public-addr). */
  addr?: string;
  /** Whether this agent serves HTTPS (the scheme of the address it registers). Default http. */
  scheme?: 'http' | 'https';
  /** The fingerprint of the certificate served now, reported at registration. */
  tlsFingerprint?: () => string | null;
  createAttempts?: number;
  maxParallelCreates?: number;
  stopTimeoutMs?: number;
  /** Background loop period: resource refresh and cleanup retries. */
  backgroundIntervalMs?: number;
  /** Usage sample period (default: --stats-interval); tests sample by hand with a long one. */
  statsIntervalMs?: number;
  /** Moving VMs: how exports reach their targets, stall and resume limits. */
  migrations?: MigrationOptions;
}

export interface Agent {
  app: Hono<AgentEnv>;
  /** Websocket upgrades (consoles): hand the HTTP server's `upgrade` events to this. */
  upgrade: ReturnType<typeof createConsoleUpgrade>;
  deps: AgentDeps;
  db: Db;
  exec: HostExec;
  runner: OperationRunner;
  link: ControllerLink | null;
  /** Usage sampling (kstat), its history and totals. */
  stats: StatsSampler;
  /** Reconcile with the host and start the background loop (before serving requests). */
  start(): Promise<void>;
  /** Start the controller link, once the HTTP server listens on `port`. */
  connect(port?: number): void;
  stop(): Promise<void>;
  /** One pass of the background loop (resources, VM states, forwards, cleanups). */
  tick(): Promise<void>;
}

/** Wire the agent from its configuration. Nothing touches the host until `start()`. */
export function buildAgent(config: AgentConfig, options: AgentOptions = {}): Agent {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const log = options.log ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const hostId = loadOrCreateHostId(config.dataDir);
  const db = openDatabase(join(config.dataDir, 'agent.db'));
  const metrics = createAgentMetrics({ processMetrics: options.processMetrics });
  const exec = createHostExec({
    illumosBin: config.illumosBin,
    pfexec: config.pfexec,
    env: config.commandEnv,
    log,
    observe: (e) =>
      metrics.hostCommandDuration.observe(
        { command: e.command, result: e.exitCode === 0 ? 'ok' : 'error' },
        e.durationMs / 1000,
      ),
  });
  const layout = createLayout(config);
  const resources = new HostResources(exec, config.pool, log);
  const network = new HostNetwork(exec, layout, log);
  const storage = new StorageSetup(exec, layout);
  const hostAdmin = storageContext({ db, exec, log, layout, resources });
  const stats = new StatsSampler({
    exec,
    log,
    intervalMs: options.statsIntervalMs ?? config.statsInterval * 1000,
    vms: vmSubjectReader(db, layout),
    pool: config.pool,
    externalLink: config.externalLink,
  });
  let link: ControllerLink | null = null;
  const onChange = () => link?.notify();
  const networks: NetworksContext = {
    ...hostAdmin,
    onChange: () => {
      bumpGeneration(db);
      onChange();
    },
  };
  const images = new ImageService({
    db,
    exec,
    layout,
    log,
    dataDir: config.dataDir,
    maxBytes: config.maxImageBytes,
    storage: config.storage,
    source: () => link,
    prepare: () => storage.ensure(),
    onChange: () => {
      bumpGeneration(db);
      onChange();
    },
  });
  const runner = new OperationRunner({
    db,
    exec,
    log,
    layout,
    images,
    network,
    storage,
    metrics,
    storageBackend: config.storage,
    tmpDir: join(config.dataDir, 'tmp'),
    createAttempts: options.createAttempts ?? 2,
    maxParallelCreates: options.maxParallelCreates ?? 4,
    stopTimeoutMs: options.stopTimeoutMs ?? 120_000,
    bootCheck: { ...DEFAULT_BOOT_CHECK, settleMs: config.bootSettleMs },
    onChange,
  });
  // Create, changes and imports accept VM operations on the same host, runner and records.
  const vmHost: VmHostDeps = {
    db,
    exec,
    log,
    layout,
    images,
    resources,
    runner,
    portRange: config.portRange,
    storage: config.storage,
  };
  const vms = new VmService(vmHost);
  const changes = new VmChangeService(vmHost);
  const migrations = createMigrations({ ...vmHost, vms, onChange }, options.migrations);
  const recipes = new RecipeRuns({
    db,
    exec,
    log,
    layout,
    runner,
    commandEnv: config.commandEnv,
    onChange,
  });
  const [listenHost, listenPort] = splitHostPort(config.listen);
  // The node name comes from the host (`hostname`) once `start()` runs; until then, this machine's.
  const identity = { hostname: osHostname() };
  const hostname = identity.hostname;
  // The port actually bound (differs from --listen when it asked for port 0).
  let boundPort = listenPort;
  if (config.controllers && config.licenseKeyFile) {
    const reachable =
      listenHost === '0.0.0.0' || listenHost === '::'
        ? (config.publicAddr ?? hostname)
        : listenHost;
    link = new ControllerLink({
      urls: config.controllers,
      licenseKeyFile: config.licenseKeyFile,
      dataDir: config.dataDir,
      hostId,
      get hostname() {
        return identity.hostname;
      },
      addr: () =>
        options.addr ??
        `${options.scheme ?? 'http'}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${boundPort}`,
      publicAddr: config.publicAddr,
      storage: config.storage,
      log,
      inventory: () => buildInventory(db, layout, resources),
      mintControllerKey: () => rotateControllerKey(db),
      usage: new UsageReporter(() => stats.current()?.summary ?? null),
      tlsFingerprint: options.tlsFingerprint ?? (() => null),
      fetch: options.fetch ?? trustedFetch(controllerTrust(config)).fetch,
    });
  }
  const deps: AgentDeps = {
    db,
    log,
    metrics,
    layout,
    hostId,
    get hostname() {
      return identity.hostname;
    },
    storage: config.storage,
    dataDir: config.dataDir,
    maxImageBytes: config.maxImageBytes,
    portRange: config.portRange,
    vms,
    changes,
    images,
    migrations,
    recipes,
    resources,
    stats,
    controllerStatus: () => link?.status() ?? null,
    hostAdmin,
    networks,
  };
  registerUsageMetrics(metrics.registry, stats, () => hostId);
  Object.assign(metrics.sources, {
    vmsByState: () => countVmsByState(db),
    capacity: () => ({ total: resources.total(), used: usedResources(db) }),
    images: () => images.list(1, 0).total,
    freeHostPorts: () => freePortCount(db, config.portRange),
    inventoryGeneration: () => currentGeneration(db),
  } satisfies AgentMetricSources);
  let timer: NodeJS.Timeout | null = null;
  const refreshResources = async () => {
    const before = JSON.stringify([resources.total(), usedResources(db)]);
    await resources
      .refresh()
      .catch((error) => log.warn({ error }, 'reading host resources failed'));
    // What datasets made through the storage API hold changes as they are written to.
    await refreshCharges(hostAdmin).catch((error) =>
      log.warn({ error }, 'measuring storage API datasets failed'),
    );
    if (JSON.stringify([resources.total(), usedResources(db)]) !== before) {
      bumpGeneration(db);
      onChange();
    }
  };
  const background = async () => {
    await refreshResources();
    // A guest that powered off, a zone removed by hand: the controller hears of it.
    const changed = await vms.observeAll().catch((error) => {
      log.warn({ error }, 'observing VM states failed');
      return 0;
    });
    if (changed > 0) onChange();
    // IP Filter refreshed or the host rebooted under us: put forwards and NAT maps back.
    await reconcileForwards({ db, exec, log, layout, runner }).catch((error) =>
      log.warn({ error }, 'reconciling port forwards failed'),
    );
    await retryCleanups({ db, exec, log, layout, runner });
    await migrations.imports.sweep();
  };
  const upgrade = createConsoleUpgrade({
    db,
    log,
    sessions: { console: serialSession(exec, config.commandEnv), vnc: vncSession(layout) },
  });
  return {
    app: createApp(deps),
    upgrade,
    deps,
    db,
    exec,
    runner,
    link,
    stats,
    async start() {
      if (countUserKeys(db) === 0) {
        const path = ensureClaimToken(config.dataDir);
        log.info({ path }, 'no API key yet: claim the first one with the token in this file');
      }
      // Independent reads and set-up side by side: after a crash the agent is back quickly.
      await Promise.all([
        readHostname(exec).then(
          (name) => {
            if (name) identity.hostname = name;
          },
          (error) => log.warn({ error }, "could not read the host name; using this machine's"),
        ),
        refreshResources(),
        network.ensure().catch((error) => log.error({ error }, 'host network setup failed')),
        reconcileNetworks(networks).catch((error) => log.error({ error }, 'networks setup failed')),
        reconcileEnvOverlays(networks).catch((error) =>
          log.error({ error }, 'environment overlays setup failed'),
        ),
        storage.ensure().catch((error) => log.error({ error }, 'storage setup failed')),
        restoreSwap(hostAdmin).catch((error) => log.error({ error }, 'restoring swap failed')),
        // Uploads and pulls a crash cut short leave files nothing else would ever remove.
        images
          .clearStaging()
          .catch((error) => log.error({ error }, 'clearing image staging failed')),
        // The first usage sample: rates are known one interval after start, not two.
        stats.start(),
      ]);
      await reconcileAtStart({ db, exec, log, layout, runner, vms });
      await retryCleanups({ db, exec, log, layout, runner });
      const every = options.backgroundIntervalMs ?? 60_000;
      const tick = () => {
        timer = setTimeout(() => void background().finally(tick), every);
        timer.unref();
      };
      tick();
    },
    connect(port) {
      if (port !== undefined) boundPort = port;
      link?.start();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      stats.stop();
      await link?.stop();
    },
    tick: background,
  };
}

/** How the agent trusts the controller's certificate (an `https://` --controller). */
function controllerTrust(config: AgentConfig): PeerTrust {
  if (config.controllerFingerprint)
    return { kind: 'fingerprint', fingerprint: config.controllerFingerprint };
  if (config.controllerCa) return { kind: 'ca', ca: readFileSync(config.controllerCa) };
  return { kind: 'system' };
}
