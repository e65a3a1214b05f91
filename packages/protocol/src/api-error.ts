import {
  ERROR_HTTP_STATUS,
  type ErrorBody,
  type ErrorCode,
  isRetryableCode,
} from './schemas/errors.js';

/**
 * The error every Apiary program throws across a boundary: services raise it, HTTP edges map it
 * with `ERROR_HTTP_STATUS`, typed clients rebuild it from the body they receive.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  readonly retryable: boolean;
  /** On a validation error: issues beyond those listed in `details` (`omitted_issues`). */
  readonly omittedIssues: number;
  /** Set when the error was received from (or is about to be sent by) a server. */
  requestId: string | undefined;
  /**
   * The message and details were written for the client (e.g. a connection test's verdict on
   * an agent): a server sends them even with a 5xx status, whose messages it otherwise hides.
   */
  readonly forClient: boolean;
  /**
   * Seconds after which the same request may succeed (a 429 or 503): servers send it as the
   * `Retry-After` header, clients read it back from there.
   */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    msg: string,
    options: {
      details?: unknown;
      retryable?: boolean;
      requestId?: string;
      cause?: unknown;
      forClient?: boolean;
      omittedIssues?: number;
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(msg, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = ERROR_HTTP_STATUS[code];
    this.details = options.details;
    this.retryable = options.retryable ?? isRetryableCode(code);
    this.requestId = options.requestId;
    this.forClient = options.forClient ?? false;
    this.omittedIssues = options.omittedIssues ?? 0;
    this.retryAfterSeconds =
      options.retryAfterSeconds === undefined
        ? undefined
        : Math.max(1, Math.ceil(options.retryAfterSeconds));
  }

  static fromBody(body: ErrorBody): ApiError {
    return new ApiError(body.code, body.msg, {
      details: body.details,
      retryable: body.retryable,
      requestId: body.requestId,
      omittedIssues: body.omitted_issues,
    });
  }

  toBody(requestId: string): ErrorBody {
    const body: ErrorBody = { msg: this.message, code: this.code, requestId };
    if (this.details !== undefined) body.details = this.details;
    if (this.retryable) body.retryable = true;
    if (this.omittedIssues > 0) body.omitted_issues = this.omittedIssues;
    return body;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
