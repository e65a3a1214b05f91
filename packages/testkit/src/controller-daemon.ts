import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ControllerClient, createControllerClient } from '@apiary/protocol';
import { freePort } from './free-port.js';
import { ManagedProcess, type OutputOptions } from './managed-process.js';
import { bins } from './paths.js';
import { waitUntilServing } from './wait-serving.js';

/** What the controller writes to DATA_DIR/bootstrap.json on its first start. */
export interface Bootstrap {
  adminUser: string;
  adminPassword: string;
  adminApiKey: string;
  licenseKey: string;
}

export interface ControllerOptions extends OutputOptions {
  /** The controller's --data-dir. Reused if it exists (the dev fleet keeps its state). */
  dataDir: string;
  /** A fixed port (the dev fleet's 9200); a free one when omitted. Kept across restarts. */
  port?: number;
  /** More flags, e.g. ['--heartbeat-interval-ms', '1000']. */
  args?: string[];
  /** Process name in logs and error messages. Default 'controller'. */
  name?: string;
  timeoutMs?: number;
}

/**
 * The real controller program (`apiary-controller`) on 127.0.0.1, started as an operator would
 * start it, and what a test needs from it: its URL, its bootstrap credentials, a license key
 * file for agents and an admin client.
 */
export class ControllerDaemon {
  readonly url: string;
  readonly process: ManagedProcess;
  /** DATA_DIR/license.key: the bootstrap license key, for agents' --license-key-file. */
  readonly licenseFile: string;
  bootstrap!: Bootstrap;
  /** A typed client with the bootstrap admin API key. */
  admin!: ControllerClient;

  private constructor(
    readonly port: number,
    private readonly options: ControllerOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.licenseFile = join(options.dataDir, 'license.key');
    const argv = [bins.controller, '--listen', `127.0.0.1:${port}`, '--data-dir', options.dataDir];
    this.process = new ManagedProcess(
      options.name ?? 'controller',
      [...argv, ...(options.args ?? [])],
      options,
    );
  }

  /** Starts the controller and resolves once it serves /v1/health and has bootstrapped. */
  static async start(options: ControllerOptions): Promise<ControllerDaemon> {
    const controller = new ControllerDaemon(options.port ?? (await freePort()), options);
    try {
      await controller.waitUntilServing();
    } catch (error) {
      await controller.stop();
      throw error;
    }
    const bootstrap = readFileSync(controller.bootstrapFile, 'utf8');
    controller.bootstrap = JSON.parse(bootstrap) as Bootstrap;
    writeFileSync(controller.licenseFile, `${controller.bootstrap.licenseKey}\n`, { mode: 0o600 });
    controller.admin = controller.client(controller.bootstrap.adminApiKey);
    return controller;
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  /** A typed client with another token (a user's session, another organization's key). */
  client(token?: string): ControllerClient {
    return createControllerClient({ baseUrl: this.url, ...(token ? { token } : {}) });
  }

  /**
   * Plain fetch, as the seed's curl examples do: JSON body, the admin key unless `token` is
   * given; `token: null` sends no credentials at all.
   */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Response> {
    const bearer = token === undefined ? this.bootstrap.adminApiKey : token;
    return fetch(this.url + path, {
      method,
      headers: {
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** SIGTERM, then the same program on the same port and data dir, serving again. */
  async restart(): Promise<void> {
    await this.process.restart();
    await this.waitUntilServing();
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  kill(): Promise<void> {
    return this.process.kill();
  }

  private get bootstrapFile(): string {
    return join(this.options.dataDir, 'bootstrap.json');
  }

  private waitUntilServing(): Promise<void> {
    return waitUntilServing(this.process, `${this.url}/v1/health`, {
      timeoutMs: this.options.timeoutMs ?? 60_000,
      ready: () => existsSync(this.bootstrapFile),
    });
  }
}
