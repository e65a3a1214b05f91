import { z } from 'zod';
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
    return { path: at, ...structuredFields(issue), message: issue.message };
  });
  return { issues, omitted: Math.max(0, error.issues.length - limit) };
}

/** The fields of a zod issue a client needs to phrase it; everything else is left behind. */
function structuredFields(issue: z.core.$ZodIssue): Omit<ValidationIssue, 'path' | 'message'> {
  const fields: Omit<ValidationIssue, 'path' | 'message'> = { code: issue.code };
  if (!isGenericMessage(issue)) fields.own_message = true;
  switch (issue.code) {
    case 'too_big':
    case 'too_small': {
      fields.origin = issue.origin;
      const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      if (issue.code === 'too_big') fields.maximum = Number(bound);
      else fields.minimum = Number(bound);
      if (issue.inclusive !== undefined) fields.inclusive = issue.inclusive;
      if (issue.exact) fields.exact = true;
      break;
    }
    case 'invalid_type':
      fields.expected = issue.expected;
      break;
    case 'invalid_value':
      fields.values = issue.values.map((v) =>
        typeof v === 'bigint' || typeof v === 'symbol' || v === undefined ? String(v) : v,
      );
      break;
    case 'invalid_format':
      fields.format = issue.format;
      if (issue.pattern !== undefined) fields.pattern = issue.pattern;
      break;
    case 'unrecognized_keys':
      fields.keys = issue.keys;
      break;
    case 'not_multiple_of':
      fields.divisor = Number(issue.divisor);
      break;
    case 'invalid_union': {
      const alternatives = unionAlternatives(issue);
      if (alternatives) fields.alternatives = alternatives;
      break;
    }
  }
  return fields;
}

/**
 * What each alternative of a failed union wanted, when the union has no message of its own and
 * every alternative failed on the value itself rather than somewhere inside it.
 */
function unionAlternatives(issue: z.core.$ZodIssueInvalidUnion): string[] | undefined {
  if (!isGenericMessage(issue) || issue.errors.length === 0) return undefined;
  const firsts = issue.errors.map((branch) => branch[0]);
  if (firsts.some((first) => !first || first.path.length > 0)) return undefined;
  return [...new Set(firsts.map((first) => (first as z.core.$ZodIssue).message))];
}

/**
 * Inputs of every type a JSON body, query string or config can hold. zod writes the type it
 * received into an `invalid_type` message, and the input itself is gone from the issue, so a
 * generic message is recognised by trying each.
 */
const SAMPLE_INPUTS: unknown[] = [undefined, null, '', 0, Number.NaN, true, [], {}];

/** Whether zod's own error map would have written this message (so it is no schema's words). */
function isGenericMessage(issue: z.core.$ZodIssue): boolean {
  const map = z.config().localeError;
  if (!map) return false;
  const say = (raw: object): string | undefined => {
    try {
      const said = map(raw as z.core.$ZodRawIssue);
      return typeof said === 'string' ? said : (said?.message ?? undefined);
    } catch {
      return undefined;
    }
  };
  if (issue.code !== 'invalid_type') return say(issue) === issue.message;
  return SAMPLE_INPUTS.some((input) => say({ ...issue, input }) === issue.message);
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
