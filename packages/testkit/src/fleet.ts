import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type InitOptions, stopZoneDaemon } from '@apiary/illumos-sim';
import type { ControllerClient } from '@apiary/protocol';
import { AgentDaemon } from './agent-daemon.js';
import { type Bootstrap, ControllerDaemon } from './controller-daemon.js';
import type { OutputOptions } from './managed-process.js';

export interface FleetOptions extends Omit<OutputOptions, 'logFile'> {
  /**
   * State directory: controller/, agent-N/, sim-N/ and logs/ (each program's output). Reused if
   * it exists. Omitted: a fresh temporary directory that belongs to the fleet, removed by
   * `destroy()` and by a start that fails.
   */
  dir?: string;
  /** Registered agents to start, each on its own simulated host. Default 3. */
  agents?: number;
  controllerPort?: number;
  /** Ports for agents 1, 2, ...; free ports are picked when omitted. */
  agentPorts?: number[];
  controllerArgs?: string[];
  agentArgs?: string[];
  /** The simulated host of agent N (from 1). Default: the simulator's, named sim-host-N. */
  host?: (index: number) => InitOptions;
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
 * A real fleet: the controller and N agents on simulated hosts, each a separate process running
 * the same program with the same flags an operator would. The one launcher used by the system
 * tests, the browser tests, the CLI's tests and `npm run dev`.
 */
export class Fleet {
  readonly dir: string;
  controller!: ControllerDaemon;
  /** In the order they were added: agent-1, agent-2, ... */
  readonly agents: AgentDaemon[] = [];
  private nextIndex = 1;
  private readonly ownsDir: boolean;

  private constructor(private readonly options: FleetOptions) {
    this.ownsDir = options.dir === undefined;
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'apiary-fleet-'));
    mkdirSync(this.dir, { recursive: true });
  }

  /** Starts the controller, then the agents in parallel; each is ready when this resolves. */
  static async start(options: FleetOptions = {}): Promise<Fleet> {
    const fleet = new Fleet(options);
    try {
      fleet.controller = await ControllerDaemon.start({
        ...fleet.outputOptions('controller'),
        dataDir: join(fleet.dir, 'controller'),
        port: options.controllerPort,
        args: options.controllerArgs,
        tls: options.tls,
      });
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
    return [this.controller, ...this.agents]
      .filter((daemon) => daemon !== undefined)
      .map((daemon) => `--- ${daemon.process.name}\n${daemon.process.describeOutput(chars)}`)
      .join('\n');
  }

  /** Stops agents first (they deregister), then the controller. */
  async stop(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.stop()));
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
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private startAgent(index: number, options: AddAgentOptions): Promise<AgentDaemon> {
    return AgentDaemon.start({
      ...this.outputOptions(`agent-${index}`),
      dataDir: join(this.dir, `agent-${index}`),
      simDir: join(this.dir, `sim-${index}`),
      host: options.host ?? { hostname: `sim-host-${index}`, ...this.options.host?.(index) },
      port: this.options.agentPorts?.[index - 1],
      controller: options.register === false ? undefined : this.controller,
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
