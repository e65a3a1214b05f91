import { ApiError } from '@apiary/protocol';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { HostCommandError } from '../host/host-command-error.js';
import type { Logger } from '../log.js';
import type { AgentEnv } from './env.js';

/**
 * The one error mapping: ApiError bodies as they are; everything else becomes an opaque 5xx
 * whose detail goes to the log under the request id.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HostCommandError) {
    return new ApiError('host_command_failed', 'a host command failed', { cause: error });
  }
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError('payload_too_large', 'request body too large');
    if (error.status === 401) return new ApiError('unauthenticated', 'authentication required');
    if (error.status < 500) return new ApiError('validation', error.message || 'bad request');
  }
  return new ApiError('internal', 'internal error', { cause: error });
}

export function handleError(log: Logger) {
  return (error: unknown, c: Context<AgentEnv>) => {
    const apiError = toApiError(error);
    const requestId = c.get('requestId') ?? 'req_unknown';
    if (apiError.status >= 500) {
      const cause = apiError === error ? error : (error as Error);
      log.error({ request_id: requestId, error: describe(cause) }, 'request failed');
      const opaque = new ApiError(apiError.code, opaqueMessage(apiError.code), {
        retryable: apiError.retryable,
      });
      return c.json(opaque.toBody(requestId), apiError.status as 500);
    }
    return c.json(apiError.toBody(requestId), apiError.status as 400);
  };
}

function opaqueMessage(code: string): string {
  if (code === 'host_command_failed') return 'a host command failed; see the agent log';
  if (code === 'unavailable') return 'temporarily unavailable';
  if (code === 'upstream_failed') return 'the controller did not answer as expected';
  return 'internal error; see the agent log';
}

function describe(error: unknown): Record<string, unknown> {
  if (error instanceof HostCommandError) {
    return { argv: error.argv, exit_code: error.exitCode, stderr: error.stderr.slice(0, 1000) };
  }
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return {
      name: error.name,
      message: error.message,
      ...(cause ? { cause: describe(cause) } : {}),
    };
  }
  return { value: String(error) };
}
