import { z } from 'zod';

/**
 * Transport-free error codes. Services throw these; exactly one table maps them to HTTP.
 * 401 (who are you?) and 403 (you may not) stay distinct.
 */
export const ErrorCode = z.enum([
  'validation',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'precondition_failed',
  'payload_too_large',
  'insufficient_capacity',
  'rate_limited',
  'host_command_failed',
  'upstream_failed',
  'unavailable',
  'timeout',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ERROR_HTTP_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  insufficient_capacity: 409,
  rate_limited: 429,
  host_command_failed: 502,
  upstream_failed: 502,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};

/** Codes for which the same request may succeed later. Clients retry only these. */
const RETRYABLE_BY_DEFAULT: ReadonlySet<ErrorCode> = new Set([
  'rate_limited',
  'unavailable',
  'timeout',
]);

export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE_BY_DEFAULT.has(code);
}

/** The code a client assumes when a server answers with a status but no readable body. */
export function errorCodeForStatus(status: number): ErrorCode {
  const exact = Object.entries(ERROR_HTTP_STATUS).find(([, s]) => s === status);
  if (exact) return exact[0] as ErrorCode;
  return status >= 500 ? 'internal' : 'validation';
}

/**
 * The one error body of every Apiary API. 5xx bodies never carry internal messages: the detail
 * goes to the server log under `requestId`.
 */
export const ErrorBody = z.object({
  msg: z.string(),
  code: ErrorCode,
  requestId: z.string(),
  details: z.unknown().optional(),
  retryable: z.boolean().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** One field-level problem, as listed in `details` of a `validation` error. */
export const ValidationIssue = z.object({ path: z.string(), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssue>;

/** Turn zod issues into the `details` list of a validation error (`vms.0.cpu: ...`). */
export function validationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Human summary of validation issues, for the `msg` field and for CLI output. */
export function summarizeIssues(issues: ValidationIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `invalid request: ${shown.join('; ')}${more}`;
}
