import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a daemon's output goes. Shared by every option type that starts a process. */
export interface OutputOptions {
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Append stdout and stderr to this file (its directory is created). */
  logFile?: string;
  /** Also copy the output to this process's stdout/stderr (the dev fleet). */
  inheritOutput?: boolean;
  /**
   * Keep the output in memory as `output`, for assertions and a failed test's report. Default
   * true; the dev fleet turns it off, since it runs for hours and has its log files.
   */
  keepOutput?: boolean;
}

/**
 * A Node.js program run as a child process (`node <args>`), that can be stopped, killed and
 * started again with the same arguments. Its output accumulates over restarts.
 */
export class ManagedProcess {
  private current!: ChildProcess;
  private currentExit!: Promise<number | null>;
  private text = '';

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly options: OutputOptions = {},
  ) {
    this.spawn();
  }

  get child(): ChildProcess {
    return this.current;
  }

  /** The exit code of the current run (null when a signal ended it). */
  get exited(): Promise<number | null> {
    return this.currentExit;
  }

  get running(): boolean {
    return this.current.exitCode === null && this.current.signalCode === null;
  }

  /** Everything the program printed on stdout and stderr, all runs; '' when not kept. */
  get output(): string {
    return this.text;
  }

  /** The end of the output (or where the log file is), for an error message. */
  describeOutput(chars = 3000): string {
    if (this.options.keepOutput === false) return `see ${this.options.logFile ?? 'its output'}`;
    return this.text.slice(-chars);
  }

  /** SIGTERM (clean shutdown: agents deregister), then SIGKILL if it does not exit in time. */
  async stop(timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.current.kill('SIGTERM');
    const timer = setTimeout(() => this.current.kill('SIGKILL'), timeoutMs);
    await this.currentExit;
    clearTimeout(timer);
  }

  /** kill -9: a crash, for the tests that need one. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.current.kill('SIGKILL');
    await this.currentExit;
  }

  /** Stops the program if it runs, then starts it again with the same arguments. */
  async restart(): Promise<void> {
    await this.stop();
    this.spawn();
  }

  private spawn(): void {
    const child = spawn(process.execPath, this.args, {
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.current = child;
    this.currentExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const { logFile, inheritOutput, keepOutput } = this.options;
    if (logFile) {
      mkdirSync(dirname(logFile), { recursive: true });
      const log = createWriteStream(logFile, { flags: 'a' });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    }
    if (inheritOutput) {
      child.stdout?.pipe(process.stdout, { end: false });
      child.stderr?.pipe(process.stderr, { end: false });
    }
    if (keepOutput !== false) {
      const keep = (chunk: Buffer) => {
        this.text += chunk.toString();
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
    }
  }
}
