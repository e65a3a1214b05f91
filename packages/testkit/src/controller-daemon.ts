import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ControllerClient, createControllerClient } from '@apiary/protocol';
import { Daemon, type DaemonOptions } from './daemon.js';
import { freePort } from './free-port.js';
import { bins } from './paths.js';

/** What the controller writes to DATA_DIR/bootstrap.json on its first start. */
export interface Bootstrap {
  adminUser: string;
  adminPassword: string;
  adminApiKey: string;
  licenseKey: string;
}

export interface ControllerOptions extends DaemonOptions {
  /** The controller's --data-dir. Reused if it exists (the dev fleet keeps its state). */
  dataDir: string;
  /** A fixed port (the dev fleet's 9200); a free one when omitted. Kept across restarts. */
  port?: number;
  /** More flags, e.g. ['--heartbeat-interval-ms', '1000']. */
  args?: string[];
  /**
   * The installation's bootstrap secrets, for a controller joining a database that already has
   * users (another controller of the installation made them and wrote its bootstrap.json; this
   * one writes none). Omitted: read from this controller's own bootstrap.json.
   */
  bootstrap?: Bootstrap;
}

/**
 * The real controller program (`apiary-controller`) on 127.0.0.1, started as an operator would
 * start it (HTTPS with its self-signed certificate unless `tls: false`), and what a test needs
 * from it: its URL, its bootstrap credentials, a license key file for agents and an admin
 * client.
 */
export class ControllerDaemon extends Daemon {
  /** DATA_DIR/license.key: the bootstrap license key, for agents' --license-key-file. */
  readonly licenseFile: string;
  bootstrap!: Bootstrap;
  /** A typed client with the bootstrap admin API key. */
  admin!: ControllerClient;

  private constructor(
    port: number,
    readonly dataDir: string,
    private readonly options: ControllerOptions,
  ) {
    const argv = [bins.controller, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir];
    // Every agent of a test or dev fleet listens on 127.0.0.1, which a controller refuses to
    // reach by address unless told to: these fleets say so, as an operator would have to.
    argv.push('--allow-agent-targets', 'loopback');
    super(port, [...argv, ...Daemon.tlsArgs(options), ...(options.args ?? [])], dataDir, {
      ...options,
      name: options.name ?? 'controller',
      healthPath: '/v1/health',
    });
    this.licenseFile = join(dataDir, 'license.key');
  }

  /** Starts the controller and resolves once it serves /v1/health and has bootstrapped. */
  static async start(options: ControllerOptions): Promise<ControllerDaemon> {
    const port = options.port ?? (await freePort());
    const controller = new ControllerDaemon(port, options.dataDir, options);
    await controller.stopIfFails(controller.waitUntilServing());
    controller.bootstrap =
      options.bootstrap ??
      (JSON.parse(readFileSync(controller.bootstrapFile, 'utf8')) as Bootstrap);
    writeFileSync(controller.licenseFile, `${controller.bootstrap.licenseKey}\n`, { mode: 0o600 });
    controller.admin = controller.client(controller.bootstrap.adminApiKey);
    return controller;
  }

  /** A typed client with another token (a user's session, another organization's key). */
  client(token?: string): ControllerClient {
    return createControllerClient({
      baseUrl: this.url,
      fetch: this.fetchImpl,
      ...(token ? { token } : {}),
    });
  }

  /**
   * Plain fetch, as the seed's curl examples do: JSON body, the admin key unless `token` is
   * given; `token: null` sends no credentials at all.
   */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Response> {
    const bearer = token === undefined ? this.bootstrap.adminApiKey : token;
    return this.fetch(path, {
      method,
      headers: {
        ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /**
   * The controller writes bootstrap.json before it listens; a test reads it once serving. One
   * joining an installation writes none: serving is all there is to wait for.
   */
  protected override isReady(): boolean {
    return this.options.bootstrap !== undefined || existsSync(this.bootstrapFile);
  }

  private get bootstrapFile(): string {
    return join(this.dataDir, 'bootstrap.json');
  }
}
