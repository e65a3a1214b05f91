import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type HostState,
  type InitOptions,
  initHost,
  isInitialized,
  readState,
  setPublicAddress,
} from '@apiary/illumos-sim';
import type { ControllerDaemon } from './controller-daemon.js';
import { Daemon, type DaemonOptions } from './daemon.js';
import { freePort } from './free-port.js';
import { bins } from './paths.js';
import { GiveUpWaiting, waitFor } from './wait-for.js';

export type AgentKeyRole = 'admin' | 'operator' | 'viewer';

export interface AgentOptions extends DaemonOptions {
  /** The agent's --data-dir. Reused if it exists. */
  dataDir: string;
  /** The simulated host's directory (--sim). Made with `host` when it holds no host yet. */
  simDir: string;
  /** What the simulated host has (hostname, CPUs, RAM, pools); the simulator's defaults else. */
  host?: InitOptions;
  /**
   * The host's public address, a loopback address (127.0.0.2, ...): set on the simulated host
   * (its forwards listen there, see illumos-sim's public-address.ts) and given to the agent as
   * --public-addr, so the controller shows `ADDRESS:PORT -> 22` for the host's VMs.
   */
  publicAddress?: string;
  /** A fixed port; a free one when omitted. Kept across restarts. */
  port?: number;
  /**
   * Register with this controller (--controller, --license-key-file) and wait until it lists
   * the host as ready. Omitted: a standalone agent, as a host an operator adds by address.
   */
  controller?: ControllerDaemon;
  /**
   * Instead of `controller`: the controllers of one installation (one database), all given to
   * the agent (`--controller URL1,URL2`), which uses the next when one fails. They serve one
   * certificate (as behind a load balancer): the agent pins one fingerprint.
   */
  controllers?: ControllerDaemon[];
  /** The license key file to register with; default the (first) controller's bootstrap key. */
  licenseFile?: string;
  /** More flags, e.g. ['--boot-settle-ms', '0']. */
  args?: string[];
}

/**
 * The real agent program (`apiary-agent --sim`) on 127.0.0.1, on a simulated OmniOS host,
 * serving HTTPS with its self-signed certificate unless `tls: false`, optionally registered
 * with a controller (pinning the controller's certificate with --controller-fingerprint).
 */
export class AgentDaemon extends Daemon {
  /** The host's id (`host_...`), as the agent reports it to the controller. */
  hostId = '';

  private constructor(
    port: number,
    private readonly options: AgentOptions,
  ) {
    const { dataDir, simDir } = options;
    const controllers = controllersOf(options);
    const first = controllers[0];
    const licenseFile = options.licenseFile ?? first?.licenseFile;
    const argv = [
      ...[bins.agent, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--sim', simDir],
      ...Daemon.tlsArgs(options),
      ...(first && licenseFile
        ? [
            '--controller',
            controllers.map((c) => c.url).join(','),
            ...['--license-key-file', licenseFile],
            // Pinned, as an operator pastes it from `apiary-controller info`.
            ...(first.tls ? ['--controller-fingerprint', sharedFingerprint(controllers)] : []),
          ]
        : []),
      ...(options.publicAddress ? ['--public-addr', options.publicAddress] : []),
      ...(options.args ?? []),
    ];
    super(port, argv, dataDir, {
      ...options,
      name: options.name ?? `agent-${port}`,
      healthPath: '/api/health',
    });
  }

  /**
   * Makes the simulated host if needed, starts the agent and resolves once it serves
   * /api/health and, when it registers, once the controller lists its host as ready.
   */
  static async start(options: AgentOptions): Promise<AgentDaemon> {
    const { simDir, publicAddress } = options;
    if (!isInitialized(simDir)) initHost(simDir, { ...options.host, publicAddress });
    else if (readState(simDir).publicAddress !== publicAddress)
      await setPublicAddress(simDir, publicAddress);
    const agent = new AgentDaemon(options.port ?? (await freePort()), options);
    await agent.stopIfFails(agent.serveAndRegister());
    return agent;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  get simDir(): string {
    return this.options.simDir;
  }

  /** The host's public address (where its VMs' forwards listen), if it has one. */
  get publicAddress(): string | undefined {
    return this.options.publicAddress;
  }

  /** Whether the agent registers with a controller (false: standalone, added by address). */
  get registered(): boolean {
    return controllersOf(this.options).length > 0;
  }

  /** The simulated host's state as it is now: zones, datasets, links, packet filter rules. */
  host(): HostState {
    return readState(this.options.simDir);
  }

  /** Mints an agent API key on the host itself, as an operator would (`apiary-agent keys`). */
  async createKey(role: AgentKeyRole = 'admin'): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bins.agent, 'keys', 'create', '--data-dir', this.options.dataDir, '--role', role],
      { encoding: 'utf8' },
    );
    const key = /wh_[0-9a-f]{32,64}/.exec(stdout)?.[0];
    if (!key) throw new Error(`no key in the output of apiary-agent keys create: ${stdout}`);
    return key;
  }

  private async serveAndRegister(): Promise<void> {
    await this.waitUntilServing();
    // The agent keeps its stable id in its data dir (made before it listens).
    this.hostId = readFileSync(join(this.options.dataDir, 'host-id'), 'utf8').trim();
    const controllers = controllersOf(this.options);
    if (controllers.length === 0) return;
    // A first start registers; a restart with a saved credential resumes heartbeats.
    await waitFor(
      async () => {
        if (!this.process.running)
          throw new GiveUpWaiting(`${this.process.name} exited\n${this.process.describeOutput()}`);
        // Any controller of the installation answers for all: ask one that runs.
        const controller = controllers.find((c) => c.process.running) ?? controllers[0];
        const host = await controller?.admin.getHost({ params: { id: this.hostId } });
        return host?.liveness === 'ready';
      },
      {
        what: `${this.process.name} (${this.hostId}) to be ready in the controller`,
        timeoutMs: this.options.timeoutMs ?? 60_000,
        intervalMs: 200,
      },
    );
  }
}

function controllersOf(options: AgentOptions): ControllerDaemon[] {
  return options.controllers ?? (options.controller ? [options.controller] : []);
}

/**
 * The one certificate the controllers serve. The agent pins a single fingerprint; controllers
 * with certificates of their own would need `--controller-ca` and a CA that issued them all.
 */
function sharedFingerprint(controllers: ControllerDaemon[]): string {
  const fingerprints = new Set(controllers.map((c) => c.fingerprint));
  if (fingerprints.size !== 1) {
    throw new Error(
      `the controllers serve ${fingerprints.size} different certificates; an agent pins one (--controller-fingerprint)`,
    );
  }
  return [...fingerprints][0] as string;
}
