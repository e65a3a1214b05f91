import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '@apiary/server-kit';
import { execa, type Result } from 'execa';
import { Semaphore } from '../util/semaphore.js';
import { HostCommandError } from './host-command-error.js';

/*
 * The one place host commands are run: execa with an argv array (never a shell), a timeout, an
 * optional pfexec prefix, a bounded number of concurrent processes, and one log line per command
 * with argv, exit code and duration (the request id is added by the logger). stdin content is
 * never logged: it may carry configuration the operator considers private.
 */

export const HOST_COMMANDS = [
  'zoneadm',
  'zonecfg',
  'zfs',
  'zpool',
  'dladm',
  'ipadm',
  'ipnat',
  'ipf',
  'ipfstat',
  'zlogin',
  'kstat',
  'psrinfo',
  'prtconf',
  'pagesize',
  'routeadm',
  'hostname',
  'swap',
  'svcadm',
] as const;
export type HostCommand = (typeof HOST_COMMANDS)[number];

/** Where each command lives on OmniOS when no `--illumos-bin` directory is given. */
const SYSTEM_PATHS: Record<HostCommand | 'pfexec', string> = {
  zoneadm: '/usr/sbin/zoneadm',
  zonecfg: '/usr/sbin/zonecfg',
  zfs: '/usr/sbin/zfs',
  zpool: '/usr/sbin/zpool',
  dladm: '/usr/sbin/dladm',
  ipadm: '/usr/sbin/ipadm',
  ipnat: '/usr/sbin/ipnat',
  ipf: '/usr/sbin/ipf',
  ipfstat: '/usr/sbin/ipfstat',
  zlogin: '/usr/sbin/zlogin',
  kstat: '/usr/bin/kstat',
  psrinfo: '/usr/sbin/psrinfo',
  prtconf: '/usr/sbin/prtconf',
  pagesize: '/usr/bin/pagesize',
  routeadm: '/usr/sbin/routeadm',
  hostname: '/usr/bin/hostname',
  swap: '/usr/sbin/swap',
  svcadm: '/usr/sbin/svcadm',
  pfexec: '/usr/bin/pfexec',
};

export interface RunOptions {
  /** Bytes or text written to the command's stdin. */
  input?: string | Uint8Array;
  /** A file streamed to stdin (image imports). */
  inputFile?: string;
  /** A stream piped to stdin (read as an async iterable: it needs no file descriptor). */
  stdin?: Readable;
  timeoutMs?: number;
  /**
   * Log at debug level: a command run every few seconds (the kstat sample) whose caller logs
   * its failures itself.
   */
  quiet?: boolean;
}

export interface CommandResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export type CommandObserver = (event: {
  command: HostCommand;
  argv: string[];
  exitCode: number;
  durationMs: number;
}) => void;

/** What the rest of the agent uses to touch the host. Fakes implement this in unit tests. */
export interface HostExec {
  run(command: HostCommand, args: string[], options?: RunOptions): Promise<CommandResult>;
  /** `first | second`, e.g. `zfs send | zfs receive`; fails if either side fails. */
  pipe(
    first: [HostCommand, string[]],
    second: [HostCommand, string[]],
    options?: { timeoutMs?: number },
  ): Promise<CommandResult>;
  /** Absolute path of a command (for the console's pty, which cannot go through execa). */
  resolve(command: HostCommand): string[];
  /**
   * A command whose stdout is streamed to the caller (`zfs send` of a snapshot export); `done`
   * settles when it exits, rejecting with a HostCommandError when it failed.
   */
  stream?(command: HostCommand, args: string[]): { stdout: Readable; done: Promise<void> };
}

export interface HostExecOptions {
  illumosBin: string | null;
  pfexec: boolean;
  env: Record<string, string>;
  log: Logger;
  timeoutMs?: number;
  maxConcurrent?: number;
  observe?: CommandObserver;
}

export function createHostExec(options: HostExecOptions): HostExec {
  const gate = new Semaphore(options.maxConcurrent ?? 8);
  const defaultTimeout = options.timeoutMs ?? 120_000;
  const resolve = (command: HostCommand): string[] => {
    const path = options.illumosBin ? join(options.illumosBin, command) : SYSTEM_PATHS[command];
    if (!options.pfexec) return [path];
    const pfexec = options.illumosBin ? join(options.illumosBin, 'pfexec') : SYSTEM_PATHS.pfexec;
    return [pfexec, path];
  };
  const common = (timeoutMs: number | undefined) => ({
    env: options.env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: timeoutMs ?? defaultTimeout,
    forceKillAfterDelay: 5_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const finish = (
    command: HostCommand,
    argv: string[],
    started: number,
    result: Result,
    quiet = false,
  ) => {
    const durationMs = Date.now() - started;
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : -1;
    const stdout = asText(result.stdout);
    const stderr =
      asText(result.stderr) || (result.exitCode === undefined ? (result.message ?? '') : '');
    options.observe?.({ command, argv, exitCode, durationMs });
    const fields = { argv, exit_code: exitCode, duration_ms: durationMs };
    if (exitCode === 0 && !result.timedOut) {
      if (quiet) options.log.debug(fields, 'host command');
      else options.log.info(fields, 'host command');
      return { argv, exitCode, stdout, stderr, durationMs };
    }
    // Many failures are expected probes ("does not exist"); callers log the ones that matter.
    options.log[quiet ? 'debug' : 'info'](
      { ...fields, stderr: stderr.slice(0, 500) },
      'host command failed',
    );
    throw new HostCommandError({ argv, exitCode, stdout, stderr, timedOut: !!result.timedOut });
  };

  return {
    resolve,
    stream(command, args) {
      const [file, ...prefix] = resolve(command) as [string, ...string[]];
      const started = Date.now();
      // No timeout: the caller reads at its own pace; a gone reader ends the command (EPIPE).
      const child = execa(file, [...prefix, ...args], {
        ...common(undefined),
        timeout: 0,
        encoding: 'buffer',
        buffer: { stdout: false, stderr: true },
      });
      const done = child.then((result) => {
        finish(command, [command, ...args], started, { ...result, stdout: '' } as Result);
      });
      return { stdout: child.stdout as Readable, done };
    },
    run(command, args, runOptions = {}) {
      return gate.run(async () => {
        const [file, ...prefix] = resolve(command) as [string, ...string[]];
        const argv = [command, ...args];
        const started = Date.now();
        const result = await execa(file, [...prefix, ...args], {
          ...common(runOptions.timeoutMs),
          ...(runOptions.input !== undefined ? { input: runOptions.input } : {}),
          ...(runOptions.inputFile !== undefined ? { inputFile: runOptions.inputFile } : {}),
          ...(runOptions.stdin !== undefined ? { stdin: chunksOf(runOptions.stdin) } : {}),
        });
        return finish(command, argv, started, result, runOptions.quiet);
      });
    },
    pipe([firstCmd, firstArgs], [secondCmd, secondArgs], pipeOptions = {}) {
      return gate.run(async () => {
        const [file1, ...prefix1] = resolve(firstCmd) as [string, ...string[]];
        const [file2, ...prefix2] = resolve(secondCmd) as [string, ...string[]];
        const started = Date.now();
        const source = execa(file1, [...prefix1, ...firstArgs], {
          ...common(pipeOptions.timeoutMs),
          encoding: 'buffer',
        });
        const sink = execa(file2, [...prefix2, ...secondArgs], common(pipeOptions.timeoutMs));
        source.stdout?.pipe(sink.stdin!);
        const [first, second] = await Promise.all([source, sink]);
        // Report the first failing side: a failed send explains a failed receive.
        const firstArgv = [firstCmd, ...firstArgs];
        if (first.exitCode !== 0 || first.timedOut) {
          if (second.exitCode === undefined) sink.kill();
          return finish(firstCmd, firstArgv, started, { ...first, stdout: '' } as Result);
        }
        return finish(secondCmd, [secondCmd, ...secondArgs], started, second);
      });
    },
  };
}

/** execa takes a Node stream as stdin only when it has a file descriptor; chunks it always takes. */
async function* chunksOf(stream: Readable): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk as Uint8Array;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return '';
}
