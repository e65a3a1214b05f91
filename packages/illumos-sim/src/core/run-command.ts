import { join } from 'node:path';
import { appendCommandLog } from './command-log.js';
import { failsCommand, takeFault } from './faults.js';
import { CommandExit, type CommandIo, type CommandResult } from './io.js';
import { PROGRAMS } from './programs.js';
import { HostNotInitializedError } from './state-store.js';

export interface RunCommandInput {
  /** Program and arguments, e.g. `['zfs', 'list', '-Hp']`; the program may be a full path. */
  argv: string[];
  stdin?: string | Buffer | (() => Promise<Buffer>);
  /** The state directory (what ILLUMOS_SIM_ROOT names). */
  root: string;
  env?: Record<string, string | undefined>;
  /** Whether stdin is a terminal; only the executables under a pty set this. */
  stdinIsTty?: boolean;
}

/**
 * The one entry point for every simulated program. The executables call exactly this, so an
 * in-process caller (a benchmark of thousands of VMs) exercises the same code as a real exec.
 */
export async function runCommand(input: RunCommandInput): Promise<CommandResult> {
  const started = Date.now();
  const argv = stripPfexec(input.argv);
  const program = basename(argv[0] ?? '');
  const commandLine = [program, ...argv.slice(1)].join(' ');
  let stdout = '';
  let stderr = '';
  let exitCode: number;
  let faulted = false;
  let stdinLimit: number | undefined;
  const io: CommandIo = {
    root: input.root,
    hostRoot: join(input.root, 'root'),
    env: input.env ?? {},
    stdinIsTty: input.stdinIsTty ?? false,
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    readStdin: async () => {
      const data = await readInput(input.stdin);
      return stdinLimit === undefined ? data : data.subarray(0, stdinLimit);
    },
  };
  try {
    const fault = await takeFault(input.root, commandLine);
    stdinLimit = fault?.stdin_bytes;
    if (stdinLimit !== undefined) faulted = true;
    if (fault?.hang_ms) await new Promise((resolve) => setTimeout(resolve, fault.hang_ms));
    if (fault && failsCommand(fault) && fault.when !== 'after') {
      faulted = true;
      stdout = fault.stdout ?? '';
      stderr = fault.stderr ?? '';
      exitCode = fault.exit_code ?? 1;
    } else {
      exitCode = await dispatch(program, argv.slice(1), io, input.argv);
      if (fault && failsCommand(fault)) {
        faulted = true;
        stdout = fault.stdout ?? stdout;
        stderr = fault.stderr ?? stderr;
        exitCode = fault.exit_code ?? 1;
      }
    }
  } catch (error) {
    if (error instanceof CommandExit) {
      if (error.stderrText) stderr += error.stderrText;
      exitCode = error.exitCode;
    } else if (error instanceof HostNotInitializedError) {
      stderr += `${error.message}\n`;
      exitCode = 1;
    } else {
      stderr += `illumos-sim: internal error in ${program}: ${(error as Error).stack ?? error}\n`;
      exitCode = 70;
    }
  }
  appendCommandLog(input.root, {
    argv: input.argv,
    exit_code: exitCode,
    duration_ms: Date.now() - started,
    time: new Date(started).toISOString(),
    pid: process.pid,
    ...(faulted ? { fault: true } : {}),
  });
  return { stdout, stderr, exitCode };
}

async function dispatch(
  program: string,
  args: string[],
  io: CommandIo,
  originalArgv: string[],
): Promise<number> {
  const load = PROGRAMS[program];
  if (!load) {
    const viaPfexec = basename(originalArgv[0] ?? '') === 'pfexec';
    if (!viaPfexec) io.err(`illumos-sim: ${program || '(none)'} is not a simulated program\n`);
    else if (program === '') io.err('usage: pfexec [-P privset] cmd [arg ..]\n');
    else io.err(`pfexec: can't find ${program}: No such file or directory\n`);
    return 1;
  }
  try {
    const handler = await load();
    return await handler(io, args);
  } catch (error) {
    if (error instanceof CommandExit) {
      if (error.stderrText) io.err(error.stderrText);
      return error.exitCode;
    }
    throw error;
  }
}

/**
 * pfexec runs its argv with the profile's privileges; the simulator is always privileged, so
 * it simply runs the inner program in-process (no second process start). `-P privspec` is
 * accepted and ignored.
 */
function stripPfexec(argv: string[]): string[] {
  let rest = argv;
  while (rest.length > 0 && basename(rest[0]!) === 'pfexec') {
    rest = rest.slice(1);
    while (rest[0] === '-P' || rest[0] === '-p') rest = rest.slice(rest[0] === '-P' ? 2 : 1);
  }
  return rest;
}

function basename(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? path : path.slice(at + 1);
}

async function readInput(stdin: RunCommandInput['stdin']): Promise<Buffer> {
  if (stdin === undefined) return Buffer.alloc(0);
  if (typeof stdin === 'function') return stdin();
  return typeof stdin === 'string' ? Buffer.from(stdin) : stdin;
}
