import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InitOptions, stopZoneDaemon } from '@apiary/illumos-sim';
import type { ControllerClient } from '@apiary/protocol';
import { AgentDaemon } from './agent-daemon.js';
import { type Bootstrap, ControllerDaemon } from './controller-daemon.js';
import { certificateKeyFile } from './daemon-trust.js';
import { linkSharedImageStore, shareSecretKey } from './installation-sharing.js';
import { loopbackAddress, randomLoopbackNet } from './loopback-address.js';
import type { OutputOptions } from './managed-process.js';
import { type PostgresCluster, startPostgres } from './postgres.js';

/**
 * Where the controllers keep their data: `sqlite` (each in its data dir; one controller only),
 * `postgres` (a PostgreSQL cluster the fleet runs in DIR/postgres, kept with the directory), or
 * the `postgres://` URL of a database to use.
 */
export type FleetDatabase =
  | 'sqlite'
  | 'postgres'
  | `postgres://${string}`
  | `postgresql://${string}`;

export interface FleetOptions extends Omit<OutputOptions, 'logFile'> {
  /**
   * State directory: controller/ (controller-N/ with several), agent-N/, sim-N/, logs/ (each
   * program's output), and postgres/ and images/ when the fleet has them. Reused if it exists.
   * Omitted: a fresh temporary directory that belongs to the fleet, removed by `destroy()` and
   * by a start that fails.
   */
  dir?: string;
  /** Registered agents to start, each on its own simulated host. Default 3. */
  agents?: number;
  /**
   * Controllers of the one installation (default 1). Several share one PostgreSQL database,
   * the first one's certificate (as behind a load balancer), its secret key and bootstrap
   * secrets, and one image store (DIR/images); agents are given them all.
   */
  controllers?: number;
  /** Default `sqlite` with one controller, `postgres` with several. */
  database?: FleetDatabase;
  /** The (first) controller's port. */
  controllerPort?: number;
  /** Ports for controllers 1, 2, ... (the first defaults to `controllerPort`). */
  controllerPorts?: number[];
  /** Ports for agents 1, 2, ...; free ports are picked when omitted. */
  agentPorts?: number[];
  controllerArgs?: string[];
  agentArgs?: string[];
  /** The simulated host of agent N (from 1). Default: the simulator's, named sim-host-N. */
  host?: (index: number) => InitOptions;
  /**
   * The public address of agent N's host (from 1): where its VMs' forwards listen and what the
   * controller shows for them. Default: 127.0.0.2, 127.0.0.3, ... for a fleet in a given `dir`
   * (the dev fleet); a fleet in a temporary directory (a test's) takes a random series
   * (127.X.Y.2, ...), so fleets running side by side do not contend for the same ports.
   */
  publicAddress?: (index: number) => string | undefined;
  timeoutMs?: number;
  /**
   * Every daemon serves HTTPS with its self-signed certificate and agents pin the controller's
   * (default), as in production. False: plain HTTP on loopback.
   */
  tls?: boolean;
}

export interface AddAgentOptions {
  /** False: a standalone agent (no --controller), as a host an operator adds by address. */
  register?: boolean;
  /** Register with this license key file instead of the controller's bootstrap key. */
  licenseFile?: string;
  /** This agent's simulated host, instead of the fleet's `host(index)`. */
  host?: InitOptions;
}

/**
 * A real fleet: the controller (or several on one PostgreSQL database) and N agents on simulated
 * hosts, each a separate process running the same program with the same flags an operator
 * would. The one launcher used by the system tests, the browser tests, the CLI's tests and
 * `npm run dev`.
 */
export class Fleet {
  readonly dir: string;
  /** controller-1, controller-2, ...: the installation's controllers, in start order. */
  readonly controllers: ControllerDaemon[] = [];
  /** In the order they were added: agent-1, agent-2, ... */
  readonly agents: AgentDaemon[] = [];
  /** The PostgreSQL cluster the fleet runs (`database: 'postgres'`, in DIR/postgres), if any. */
  postgres: PostgresCluster | undefined;
  /** The controllers' `--db` when it is PostgreSQL; undefined on SQLite. */
  databaseUrl: string | undefined;
  private nextIndex = 1;
  private readonly ownsDir: boolean;
  private readonly defaultAddress: (index: number) => string;

  private constructor(private readonly options: FleetOptions) {
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'apiary-fleet-'));
    const net = this.ownsDir ? randomLoopbackNet() : undefined;
    this.defaultAddress = (index) => loopbackAddress(index, net);
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Starts the database if the fleet runs one, the controllers one after another, then the
   * agents in parallel; each is ready when this resolves.
   */
  static async start(options: FleetOptions = {}): Promise<Fleet> {
    const fleet = new Fleet(options);
    try {
      await fleet.startControllers(options.controllers ?? 1);
      const indexes = Array.from({ length: options.agents ?? 3 }, () => fleet.nextIndex++);
      const started = await Promise.allSettled(indexes.map((i) => fleet.startAgent(i, {})));
      for (const result of started)
        if (result.status === 'fulfilled') fleet.agents.push(result.value);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      return fleet;
    } catch (error) {
      await (fleet.ownsDir ? fleet.destroy() : fleet.stop());
      throw error;
    }
  }

  /** The first controller (the only one, unless `controllers` said more). */
  get controller(): ControllerDaemon {
    return this.controllers[0] as ControllerDaemon;
  }

  get controllerUrl(): string {
    return this.controller.url;
  }

  get bootstrap(): Bootstrap {
    return this.controller.bootstrap;
  }

  /** A typed controller client with the bootstrap admin API key. */
  get admin(): ControllerClient {
    return this.controller.admin;
  }

  /** Starts one more agent on a fresh (or existing) simulated host. */
  async addAgent(options: AddAgentOptions = {}): Promise<AgentDaemon> {
    const agent = await this.startAgent(this.nextIndex++, options);
    this.agents.push(agent);
    return agent;
  }

  /** The end of each program's output, for a failed test's report. */
  logs(chars = 4000): string {
    return [...this.controllers, ...this.agents]
      .filter((daemon) => daemon !== undefined)
      .map((daemon) => `--- ${daemon.process.name}\n${daemon.process.describeOutput(chars)}`)
      .join('\n');
  }

  /** Stops agents first (they deregister), then the controllers, then the database. */
  async stop(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.stop()));
    await Promise.all(this.controllers.map((controller) => controller.stop()));
    await this.postgres?.stop();
  }

  /**
   * For tests: stops the fleet, then each host's console daemon (a detached process started by
   * `zoneadm boot` of a VNC zone), then deletes the fleet's directory.
   */
  async destroy(): Promise<void> {
    try {
      await this.stop();
      for (const agent of this.agents) await stopZoneDaemon(agent.simDir);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private async startControllers(count: number): Promise<void> {
    this.databaseUrl = await this.openDatabase(count);
    const { controllerPort, controllerPorts, controllerArgs, tls } = this.options;
    for (let i = 1; i <= count; i++) {
      const name = count === 1 ? 'controller' : `controller-${i}`;
      const dataDir = join(this.dir, name);
      const first = this.controllers[0];
      if (count > 1) linkSharedImageStore(dataDir, join(this.dir, 'images'));
      if (first) shareSecretKey(first.dataDir, dataDir);
      const controller = await ControllerDaemon.start({
        ...this.outputOptions(name),
        dataDir,
        port: controllerPorts?.[i - 1] ?? (i === 1 ? controllerPort : undefined),
        args: [...(this.databaseUrl ? ['--db', this.databaseUrl] : []), ...(controllerArgs ?? [])],
        tls,
        // One certificate for the installation, as behind a load balancer: the first one's.
        tlsFiles:
          first?.tls === true
            ? { certFile: first.certFile, keyFile: certificateKeyFile(first.dataDir) }
            : undefined,
        // The first start on the empty database made them; joining controllers write none.
        bootstrap: first?.bootstrap,
      });
      this.controllers.push(controller);
    }
  }

  /** The controllers' --db: none (SQLite), the fleet's own PostgreSQL, or the given URL. */
  private async openDatabase(count: number): Promise<string | undefined> {
    // APIARY_TEST_DB=postgres runs every test fleet on PostgreSQL (the controller's tests run
    // their system tests on both engines that way).
    const engine = process.env.APIARY_TEST_DB === 'postgres' || count > 1 ? 'postgres' : 'sqlite';
    const database = this.options.database ?? engine;
    if (database === 'sqlite') {
      if (count > 1)
        throw new Error('several controllers need one PostgreSQL database, not sqlite');
      return undefined;
    }
    if (database !== 'postgres') return database;
    this.postgres = await startPostgres({ dir: join(this.dir, 'postgres') });
    return this.postgres.database('apiary');
  }

  private startAgent(index: number, options: AddAgentOptions): Promise<AgentDaemon> {
    return AgentDaemon.start({
      ...this.outputOptions(`agent-${index}`),
      dataDir: join(this.dir, `agent-${index}`),
      simDir: join(this.dir, `sim-${index}`),
      host: options.host ?? { hostname: `sim-host-${index}`, ...this.options.host?.(index) },
      publicAddress: (this.options.publicAddress ?? this.defaultAddress)(index),
      port: this.options.agentPorts?.[index - 1],
      controllers: options.register === false ? undefined : this.controllers,
      licenseFile: options.licenseFile,
      args: this.options.agentArgs,
      tls: this.options.tls,
    });
  }

  private outputOptions(name: string) {
    const { env, inheritOutput, keepOutput, timeoutMs } = this.options;
    return {
      name,
      logFile: join(this.dir, 'logs', `${name}.log`),
      env,
      inheritOutput,
      keepOutput,
      timeoutMs,
    };
  }
}
