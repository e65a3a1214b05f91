import { ApiError } from '@apiary/protocol';

/**
 * A host command that exited non-zero, timed out or could not start. Carries the whole result
 * so callers classify failures by stderr (as illumos tools only report errors as text).
 */
export class HostCommandError extends Error {
  override readonly name = 'HostCommandError';
  readonly argv: string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;

  constructor(result: {
    argv: string[];
    exitCode: number;
    stdout: string;
    stderr: string;
    timedOut: boolean;
  }) {
    const why = result.timedOut ? 'timed out' : `exited ${result.exitCode}`;
    const detail = result.stderr.trim().split('\n')[0] ?? '';
    super(`${result.argv.join(' ')} ${why}${detail ? `: ${detail}` : ''}`);
    this.argv = result.argv;
    this.exitCode = result.exitCode;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.timedOut = result.timedOut;
  }

  /** True when stderr contains `text` (how illumos errors are told apart). */
  says(text: string): boolean {
    return this.stderr.includes(text);
  }
}

export function isHostCommandError(error: unknown): error is HostCommandError {
  return error instanceof HostCommandError;
}

/** True when `error` is a host command failure whose stderr contains any of `texts`. */
export function failedWith(error: unknown, ...texts: string[]): boolean {
  return isHostCommandError(error) && texts.some((t) => error.says(t));
}

/** How the HTTP edge reports a failed host command: 502, details only in the log. */
export function toHostCommandApiError(error: unknown): ApiError | undefined {
  if (!isHostCommandError(error)) return undefined;
  return new ApiError('host_command_failed', 'a host command failed', { cause: error });
}
