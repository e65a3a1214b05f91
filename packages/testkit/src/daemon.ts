import { ManagedProcess, type OutputOptions } from './managed-process.js';
import { waitUntilServing } from './wait-serving.js';

export interface DaemonOptions extends OutputOptions {
  /** Process name in logs and error messages. */
  name?: string;
  /** How long a start or restart may take before it fails. Default 60 s. */
  timeoutMs?: number;
}

/**
 * One of Apiary's daemons run as its own program on 127.0.0.1:`port`: what the controller and
 * the agent have in common (a process, a URL, a public health route, stop / kill / restart).
 */
export abstract class Daemon {
  readonly url: string;
  readonly process: ManagedProcess;

  protected constructor(
    readonly port: number,
    argv: string[],
    private readonly daemonOptions: DaemonOptions & { name: string; healthPath: string },
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.process = new ManagedProcess(daemonOptions.name, argv, daemonOptions);
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
  stop(): Promise<void> {
    return this.process.stop();
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
