import {
  CertificateFetch,
  certificateFile,
  fingerprintOfFile,
  plainFetch,
} from './daemon-trust.js';
import { ManagedProcess, type OutputOptions } from './managed-process.js';
import { waitUntilServing } from './wait-serving.js';

export interface DaemonOptions extends OutputOptions {
  /** Process name in logs and error messages. */
  name?: string;
  /** How long a start or restart may take before it fails. Default 60 s. */
  timeoutMs?: number;
  /**
   * Serve HTTPS with the daemon's self-signed certificate (`--tls on`; default), as every
   * daemon off loopback does. False: plain HTTP, as a loopback-bound daemon may.
   */
  tls?: boolean;
  /**
   * Serve these PEM files (`--tls-cert`/`--tls-key`) instead of the self-signed certificate
   * the daemon makes in its data dir; `fetch` then trusts `certFile`, re-read on every call
   * (swap the files and send SIGHUP to renew).
   */
  tlsFiles?: { certFile: string; keyFile: string };
}

/**
 * One of Apiary's daemons run as its own program on 127.0.0.1:`port`: what the controller and
 * the agent have in common (a process, a URL, a public health route, stop / kill / restart,
 * and a `fetch` that trusts its certificate).
 */
export abstract class Daemon {
  readonly url: string;
  readonly process: ManagedProcess;
  /** The certificate the daemon serves (made at its first start); for APIARY_CA. */
  readonly certFile: string;
  private readonly trusted: CertificateFetch;

  protected constructor(
    readonly port: number,
    argv: string[],
    dataDir: string,
    private readonly daemonOptions: DaemonOptions & { name: string; healthPath: string },
  ) {
    this.url = `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    this.certFile = daemonOptions.tlsFiles?.certFile ?? certificateFile(dataDir);
    this.trusted = new CertificateFetch(this.certFile);
    this.process = new ManagedProcess(daemonOptions.name, argv, daemonOptions);
  }

  /** Whether it serves HTTPS. */
  get tls(): boolean {
    return this.daemonOptions.tls !== false;
  }

  /** The SHA-256 fingerprint of its certificate (`sha256:<hex>`), once it has one. */
  get fingerprint(): string {
    return fingerprintOfFile(this.certFile);
  }

  /** The flags that make a daemon serve as `tls` says. */
  protected static tlsArgs(options: DaemonOptions): string[] {
    if (options.tls === false) return [];
    const files = options.tlsFiles;
    return files ? ['--tls-cert', files.certFile, '--tls-key', files.keyFile] : ['--tls', 'on'];
  }

  /** Sends SIGHUP: the daemon reloads its certificate and key. */
  reloadCertificate(): void {
    this.process.child.kill('SIGHUP');
  }

  /**
   * `fetch` for this daemon: a path (`/v1/health`) or a full URL, trusting its certificate as
   * an operator would with APIARY_CA.
   */
  fetch(pathOrUrl: string, init?: RequestInit): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : this.url + pathOrUrl;
    return this.tls ? this.trusted.fetch(url, init) : plainFetch(url, init);
  }

  /** The same, as a plain `fetch` function (for typed clients). */
  get fetchImpl(): typeof fetch {
    return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      this.tls ? this.trusted.fetch(input, init) : plainFetch(input, init)) as typeof fetch;
  }

  /**
   * Starts the program again (after `stop` or `kill`; SIGTERM first if it runs) with the same
   * port and directories, and resolves once it serves.
   */
  async restart(): Promise<void> {
    await this.process.restart();
    await this.waitUntilServing();
  }

  /** SIGTERM: a clean shutdown (an agent deregisters). */
  async stop(): Promise<void> {
    await this.process.stop();
    await this.trusted.close();
  }

  /** SIGKILL: a crash. */
  kill(): Promise<void> {
    return this.process.kill();
  }

  /** Beyond answering its health route: what must hold before the daemon counts as serving. */
  protected isReady(): boolean {
    return true;
  }

  protected waitUntilServing(): Promise<void> {
    return waitUntilServing(this.process, this.url + this.daemonOptions.healthPath, {
      timeoutMs: this.daemonOptions.timeoutMs ?? 60_000,
      ready: () => this.isReady(),
      // Until the certificate exists, nothing listens.
      fetch: (url) =>
        this.tls && !this.trusted.ready
          ? Promise.reject(new Error('no certificate yet'))
          : this.fetch(url),
    });
  }

  /** Awaits a start; if it fails, stops the program (it may run, unready) and rethrows. */
  protected async stopIfFails(start: Promise<void>): Promise<void> {
    try {
      await start;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }
}
