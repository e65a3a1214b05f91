import { spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'apiary.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running `apiary` program driven through its stdin, for interactive commands. */
export interface InteractiveCli {
  write(text: string): void;
  /** Closes stdin: the program reads end of input. */
  end(): void;
  kill(): void;
  /** Resolves once stdout has shown `text`; rejects after `timeoutMs`. */
  until(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code and everything printed. */
  exited: Promise<CliResult>;
  output(): { stdout: string; stderr: string };
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv): InteractiveCli {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { PATH: process.env.PATH, HOME: env.HOME, ...env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<CliResult>((resolve) => {
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return {
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    kill: () => child.kill('SIGKILL'),
    exited,
    output: () => ({ stdout, stderr }),
    async until(text, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (child.exitCode !== null) {
          throw new Error(`apiary exited ${child.exitCode} before "${text}"\n${stdout}\n${stderr}`);
        }
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`apiary never printed "${text}"\n${stdout}\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Runs the real `apiary` program with the given env and optional stdin. */
export async function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; stdin?: string; timeoutMs?: number },
): Promise<CliResult> {
  const cli = spawnCli(args, options.env);
  if (options.stdin) cli.write(options.stdin);
  cli.end();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.kill();
      const { stdout, stderr } = cli.output();
      reject(new Error(`apiary ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
  });
  try {
    return await Promise.race([cli.exited, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs and expects exit 0; returns parsed JSON when `--json` was given. */
export async function cliJson<T>(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin?: string,
): Promise<T> {
  const result = await runCli([...args, '--json'], { env, stdin });
  if (result.code !== 0) {
    throw new Error(`apiary ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as T;
}

/** Runs another Node program of the repository (the simulator's `apiary-sim`) to its end. */
export function runProgram(argv: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
