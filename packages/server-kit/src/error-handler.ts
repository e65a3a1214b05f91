import { ApiError, type ErrorCode } from '@apiary/protocol';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { newRequestId } from './ids.js';
import type { Logger } from './logger.js';
import { currentRequestId } from './request-context.js';

export interface ErrorHandlerOptions {
  log: Logger;
  /** Named in the generic 5xx messages: "see the agent log". */
  service: string;
  /** Maps a daemon's own error types (e.g. a failed host command) to an `ApiError`. */
  classify?: (error: unknown) => ApiError | undefined;
}

/** What a client reads instead of a 5xx's internal message: the code says what kind of failure. */
function genericMessage(code: ErrorCode, service: string): string {
  switch (code) {
    case 'host_command_failed':
      return `a host command failed; see the ${service} log for this request id`;
    case 'upstream_failed':
      return `a service this ${service} depends on did not answer as expected; see its log for this request id`;
    case 'unavailable':
      return 'temporarily unavailable; try again';
    case 'timeout':
      return 'timed out; try again';
    default:
      return `internal error; see the ${service} log for this request id`;
  }
}

/** Any thrown value as an `ApiError`: ours as they are, hono's by status, the rest internal. */
export function toApiError(error: unknown, classify?: (error: unknown) => ApiError | undefined) {
  if (error instanceof ApiError) return error;
  const classified = classify?.(error);
  if (classified) return classified;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError('payload_too_large', 'request body too large');
    if (error.status === 401) return new ApiError('unauthenticated', 'authentication required');
    if (error.status < 500) return new ApiError('validation', error.message || 'bad request');
  }
  return new ApiError('internal', 'internal error', { cause: error });
}

/** An error as it goes out: status, JSON body and the headers it needs. */
export interface ErrorAnswer {
  status: number;
  body: ReturnType<ApiError['toBody']>;
  headers: Record<string, string>;
}

/**
 * The one error mapping of both daemons: an `ApiError` below 500 (or one written for the
 * client, `forClient`) goes out as it is; any other 5xx goes out with a generic message for
 * its code and no details, while the real error is logged with the request id the client
 * received.
 */
export function answerError(
  error: unknown,
  requestId: string,
  options: ErrorHandlerOptions,
): ErrorAnswer {
  const apiError = toApiError(error, options.classify);
  const headers: Record<string, string> = {};
  if (apiError.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(apiError.retryAfterSeconds);
  }
  if (apiError.status < 500 || apiError.forClient) {
    return { status: apiError.status, body: apiError.toBody(requestId), headers };
  }
  options.log.error({ request_id: requestId, code: apiError.code, error }, 'request failed');
  const opaque = new ApiError(apiError.code, genericMessage(apiError.code, options.service), {
    retryable: apiError.retryable,
  });
  return { status: apiError.status, body: opaque.toBody(requestId), headers };
}

/** `answerError` as hono's `app.onError`. */
export function createErrorHandler(options: ErrorHandlerOptions) {
  return (error: unknown, c: Context) => {
    const requestId =
      currentRequestId() ?? (c.get('requestId') as string | undefined) ?? newRequestId();
    const answer = answerError(error, requestId, options);
    for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
    return c.json(answer.body, answer.status as 400);
  };
}

/**
 * The one answer for unknown routes. It returns rather than throws: hono hands a not-found
 * handler's throw past the middleware, which would then miss the access line and the metrics.
 */
export function notFoundHandler(c: Context): Response {
  const requestId =
    currentRequestId() ?? (c.get('requestId') as string | undefined) ?? newRequestId();
  const error = new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`);
  return c.json(error.toBody(requestId), 404);
}
