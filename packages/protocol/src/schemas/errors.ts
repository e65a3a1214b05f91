import { z } from 'zod';
import { issueFields } from '../domain/issue-fields.js';
import { issueMessage } from '../domain/issue-messages.js';

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
  'quota_exceeded',
  'insufficient_capacity',
  'insufficient_storage',
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
  // The organization's image storage quota would be exceeded (the request is too large *for
  // it*, whatever the server-wide size limit says): 413, with the usage and quota in `details`.
  quota_exceeded: 413,
  insufficient_capacity: 409,
  // The server keeps a free-space floor under its database: no room for this upload now (507,
  // RFC 4918), retryable once space is freed.
  insufficient_storage: 507,
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
  /**
   * On a `validation` error: how many further issues the input had beyond those listed in
   * `details` (the list is capped, so a body of 10,000 bad entries stays small). Absent when
   * nothing was left out.
   */
  omitted_issues: z.int().min(0).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A value zod reports in an issue (enum options, literals). */
const IssueValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * One field-level problem, as listed in `details` of a `validation` error.
 *
 * `message` is what the schema (or zod) said. The structured fields come from the zod issue so a
 * client can say the same thing in its own words and units (`--lifetime 400d: at most 30d`)
 * without parsing English: `code` is zod's issue code (`too_big`, `too_small`, `invalid_type`,
 * `invalid_value`, `invalid_format`, `invalid_union`, `unrecognized_keys`, `custom`, ...) and
 * the others are present when that code has them. `code` is absent on issues a service wrote by
 * hand; then `message` is all there is.
 */
export const ValidationIssue = z.object({
  path: z.string(),
  message: z.string(),
  code: z.string().optional(),
  /** What was measured by `minimum` / `maximum`: `number`, `string` (length), `array` (entries). */
  origin: z.string().optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  /** False when the bound itself is not allowed (`< 10` rather than `<= 10`). */
  inclusive: z.boolean().optional(),
  /** The size must be exactly the bound. */
  exact: z.boolean().optional(),
  /** `invalid_type`: the type wanted (`number`, `int`, `string`, `array`, `nonoptional`, ...). */
  expected: z.string().optional(),
  /** `invalid_value`: the values allowed (an enum's options). */
  values: z.array(IssueValue).optional(),
  /** `invalid_format`: `regex`, `email`, `datetime`, ...; `pattern` for regexes. */
  format: z.string().optional(),
  pattern: z.string().optional(),
  /** `unrecognized_keys`: the keys not allowed. */
  keys: z.array(z.string()).optional(),
  /** `not_multiple_of`. */
  divisor: z.number().optional(),
  /**
   * `invalid_union` without a message of its own: what each alternative asked for, in the
   * schema's words (`must be sha256:<64 lowercase hex>`, `must be 1-63 lowercase letters...`).
   */
  alternatives: z.array(z.string()).optional(),
  /**
   * True when `message` is the schema's own words (`is required (--data-dir DIR)`) rather than
   * zod's generic English: a client shows it as it is instead of rephrasing the issue.
   */
  own_message: z.boolean().optional(),
});
export type ValidationIssue = z.infer<typeof ValidationIssue>;

/** How many issues a validation error lists; the rest are counted in `omitted_issues`. */
export const MAX_LISTED_ISSUES = 20;

export interface ValidationIssueOptions {
  /** At most this many issues are returned (default `MAX_LISTED_ISSUES`). */
  limit?: number;
  /** Prefix for every path, naming where the input came from (`body`, `query`, `params`). */
  at?: string;
}

/**
 * Turns zod issues into the `details` list of a validation error (`body.vms.0.cpu`), at most
 * `limit` of them; `omitted` counts the rest.
 */
export function validationIssues(
  error: z.ZodError,
  options: ValidationIssueOptions = {},
): { issues: ValidationIssue[]; omitted: number } {
  const limit = options.limit ?? MAX_LISTED_ISSUES;
  const issues = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.map(String).join('.');
    const at = options.at ? (path ? `${options.at}.${path}` : options.at) : path;
    return { path: at, ...issueFields(issue), message: issue.message };
  });
  return { issues, omitted: Math.max(0, error.issues.length - limit) };
}

/** Short human summary of validation issues, for the `msg` field of the error. */
export function summarizeIssues(
  issues: ValidationIssue[],
  options: { omitted?: number; prefix?: string } = {},
): string {
  const shown = issues.slice(0, 5).map((i) => {
    const text = issueMessage(i);
    return i.path ? `${i.path}: ${text}` : text;
  });
  const rest = issues.length - shown.length + (options.omitted ?? 0);
  const more = rest > 0 ? ` (and ${rest} more)` : '';
  return `${options.prefix ?? 'invalid request'}: ${shown.join('; ')}${more}`;
}
