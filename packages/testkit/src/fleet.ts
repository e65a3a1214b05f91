import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopZoneDaemon } from '@apiary/illumos-sim';
import { type ControllerClient, createControllerClient } from '@apiary/protocol';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { bins } from './paths.js';
import { waitFor } from './wait-for.js';

/** What the controller writes to DIR/bootstrap.json on its first start. */
export interface Bootstrap {
  adminUser: string;
  adminPassword: string;
  adminApiKey: string;
  licenseKey: string;
}

export interface FleetOptions {
  /** State directory: controller/, agent-N/, sim-N/, logs/. Reused if it exists. */
  dir: string;
  agents?: number;
  controllerPort?: number;
  /** Ports for the agents; free ports are picked when omitted. */
  agentPorts?: number[];
  controllerArgs?: string[];
  agentArgs?: string[];
  /** Options for `apiary-sim init` per host (e.g. ['--cpus', '4', '--ram', '8G']). */
  simInitArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Also copy daemon output to this process's stdout/stderr. */
  inheritOutput?: boolean;
  /** Wait until every agent's host is `ready` in the controller. Default true. */
  waitReady?: boolean;
  timeoutMs?: number;
}

export interface FleetAgent {
  index: number;
  url: string;
  port: number;
  dataDir: string;
  simDir: string;
  /** False for a standalone agent that an operator adds by address. */
  registered: boolean;
  process: ManagedProcess;
}

/**
 * A real fleet: the controller and N agents on simulated hosts, each a separate process using
 * the same binaries and flags an operator would. Used by system tests, browser tests and
 * `npm run dev`.
 */
export class Fleet {
  controller!: ManagedProcess;
  controllerUrl!: string;
  bootstrap!: Bootstrap;
  admin!: ControllerClient;
  readonly agents: FleetAgent[] = [];
  private readonly options: Required<Pick<FleetOptions, 'dir' | 'agents'>> & FleetOptions;

  constructor(options: FleetOptions) {
    this.options = { agents: 3, ...options };
  }

  static async start(options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(options);
    try {
      await fleet.startController();
      for (let i = 0; i < fleet.options.agents; i++) await fleet.addAgent();
      if (options.waitReady !== false) await fleet.waitForHosts(fleet.options.agents);
      return fleet;
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  private log(name: string): string {
    const dir = join(this.options.dir, 'logs');
    mkdirSync(dir, { recursive: true });
    return join(dir, `${name}.log`);
  }

  async startController(): Promise<void> {
    const dataDir = join(this.options.dir, 'controller');
    const port = this.options.controllerPort ?? (await freePort());
    this.controllerUrl = `http://127.0.0.1:${port}`;
    this.controller = new ManagedProcess(
      'controller',
      [
        bins.controller,
        '--listen',
        `127.0.0.1:${port}`,
        '--data-dir',
        dataDir,
        ...(this.options.controllerArgs ?? []),
      ],
      {
        logFile: this.log('controller'),
        env: this.options.env,
        inheritOutput: this.options.inheritOutput,
      },
    );
    const bootstrapFile = join(dataDir, 'bootstrap.json');
    await waitFor(
      async () => {
        if (!this.controller.running)
          throw new Error(`controller exited; see ${this.log('controller')}`);
        const res = await fetch(`${this.controllerUrl}/v1/health`);
        return res.ok && existsSync(bootstrapFile);
      },
      { what: 'the controller to answer /v1/health', timeoutMs: this.options.timeoutMs ?? 60_000 },
    );
    this.bootstrap = JSON.parse(readFileSync(bootstrapFile, 'utf8')) as Bootstrap;
    this.admin = createControllerClient({
      baseUrl: this.controllerUrl,
      token: this.bootstrap.adminApiKey,
    });
  }

  /**
   * Starts one more agent on a fresh (or existing) simulated host. With `register: false` it
   * runs standalone (no --controller), as a host an operator adds by address.
   */
  async addAgent(options: { register?: boolean } = {}): Promise<FleetAgent> {
    const registered = options.register ?? true;
    const index = this.agents.length + 1;
    const simDir = join(this.options.dir, `sim-${index}`);
    const dataDir = join(this.options.dir, `agent-${index}`);
    if (!existsSync(join(simDir, 'state.json')) && !existsSync(simDir)) {
      execFileSync(
        process.execPath,
        [
          bins.sim,
          'init',
          simDir,
          '--hostname',
          `sim-host-${index}`,
          ...(this.options.simInitArgs ?? []),
        ],
        {
          stdio: 'pipe',
        },
      );
    }
    const licenseFile = join(this.options.dir, 'license.key');
    writeFileSync(licenseFile, `${this.bootstrap.licenseKey}\n`, { mode: 0o600 });
    const port = this.options.agentPorts?.[index - 1] ?? (await freePort());
    const agent: FleetAgent = {
      index,
      port,
      url: `http://127.0.0.1:${port}`,
      dataDir,
      simDir,
      registered,
      process: this.spawnAgent(index, port, dataDir, simDir, registered ? licenseFile : null),
    };
    this.agents.push(agent);
    await waitFor(
      async () => {
        if (!agent.process.running)
          throw new Error(`agent ${index} exited; see ${this.log(`agent-${index}`)}`);
        return (await fetch(`${agent.url}/api/health`)).ok;
      },
      { what: `agent ${index} to answer /api/health`, timeoutMs: this.options.timeoutMs ?? 60_000 },
    );
    return agent;
  }

  private spawnAgent(
    index: number,
    port: number,
    dataDir: string,
    simDir: string,
    licenseFile: string | null,
  ) {
    return new ManagedProcess(
      `agent-${index}`,
      [
        bins.agent,
        '--listen',
        `127.0.0.1:${port}`,
        '--data-dir',
        dataDir,
        '--sim',
        simDir,
        ...(licenseFile
          ? ['--controller', this.controllerUrl, '--license-key-file', licenseFile]
          : []),
        ...(this.options.agentArgs ?? []),
      ],
      {
        logFile: this.log(`agent-${index}`),
        env: this.options.env,
        inheritOutput: this.options.inheritOutput,
      },
    );
  }

  /** Restarts a stopped or killed agent with the same data dir, port and host. */
  async restartAgent(index: number): Promise<void> {
    const agent = this.agents[index - 1];
    if (!agent) throw new Error(`no agent ${index}`);
    if (agent.process.running) await agent.process.stop();
    agent.process = this.spawnAgent(
      index,
      agent.port,
      agent.dataDir,
      agent.simDir,
      agent.registered ? join(this.options.dir, 'license.key') : null,
    );
    await waitFor(async () => (await fetch(`${agent.url}/api/health`)).ok, {
      what: `agent ${index} to come back`,
      timeoutMs: this.options.timeoutMs ?? 60_000,
    });
  }

  /** Mints an agent API key on the host itself, as an operator would with `apiary-agent keys`. */
  createAgentKey(agent: FleetAgent, role: 'admin' | 'operator' | 'viewer' = 'admin'): string {
    const out = execFileSync(
      process.execPath,
      [bins.agent, 'keys', 'create', '--data-dir', agent.dataDir, '--role', role],
      { encoding: 'utf8' },
    );
    const key = /wh_[0-9a-f]{32,64}/.exec(out)?.[0];
    if (!key) throw new Error(`no key in the output of apiary-agent keys create: ${out}`);
    return key;
  }

  /** Resolves when at least `count` hosts are registered and ready. */
  async waitForHosts(count: number, timeoutMs = this.options.timeoutMs ?? 60_000): Promise<void> {
    await waitFor(
      async () => {
        const hosts = await this.admin.listHosts({ query: { limit: 1000 } });
        return hosts.items.filter((h) => h.liveness === 'ready').length >= count;
      },
      { what: `${count} ready hosts`, timeoutMs },
    );
  }

  /** Stops agents first (they deregister), then the controller. */
  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.process.stop()));
    await this.controller?.stop();
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
      rmSync(this.options.dir, { recursive: true, force: true });
    }
  }
}
