import { type ChildProcess, spawn } from 'node:child_process';
import { onCleanup } from '../helpers/temp.js';

/** A child process of the system tests, its output kept for assertions. */
export class Proc {
  child: ChildProcess | undefined;
  output = '';
  constructor(
    readonly name: string,
    private readonly args: string[],
  ) {
    // After the file, if a test (or a failed beforeAll) did not stop it.
    onCleanup(() => this.stop('SIGKILL'));
  }

  start(): Promise<void> {
    const child = spawn(process.execPath, this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const onData = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    return Promise.resolve();
  }

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Stops the process (SIGTERM: clean; SIGKILL: a crash) and waits for it to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }
}
