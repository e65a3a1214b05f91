/**
 * What a simulated command sees: its argv, lazily read stdin, the host's state directory, and
 * two output buffers. Commands never touch process.stdout directly so the in-process entry and
 * the executables share every byte of behaviour.
 */
export interface CommandIo {
  /** State directory of the simulated host (ILLUMOS_SIM_ROOT). */
  readonly root: string;
  /** The simulated host's `/` on the Linux file system: `${root}/root`. */
  readonly hostRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True only when a real terminal is attached (the executables under a pty). */
  readonly stdinIsTty: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Reads all of stdin. Only called by commands that take input, so nothing blocks otherwise. */
  readStdin(): Promise<Buffer>;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Thrown by a command to stop with a message on stderr and an exit code, like `exit(n)` in C. */
export class CommandExit extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderrText = '',
  ) {
    super(stderrText || `exit ${exitCode}`);
  }
}

export type CommandHandler = (io: CommandIo, args: string[]) => Promise<number> | number;
