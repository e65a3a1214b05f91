import {
  ApiError,
  InsufficientCapacityDetails,
  issueMessage,
  ValidationIssue,
} from '@apiary/protocol';
import { z } from 'zod';
import { InvalidInput } from './flag-issues.js';

/** A mistake in how the command was used: exit code 2, like the usage errors of commander. */
export class UsageError extends Error {}

/**
 * An error with advice only its command can give (`run again with --force`): reported as the
 * error it wraps, then the hint, which replaces the generic one (it knows better).
 */
export class HintedError extends Error {
  constructor(
    readonly error: unknown,
    readonly hint: string,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

const IssueList = z.array(ValidationIssue).min(1);

/** Node's (OpenSSL's) codes for a certificate it cannot trust. */
const CERTIFICATE_REASONS = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;

/** What to do about an error, in one line the user can act on. */
function hint(error: ApiError, url: string): string | null {
  switch (error.code) {
    case 'unauthenticated':
      return "log in with 'apiary login', or set APIARY_API_KEY";
    case 'forbidden':
      return 'your role or organization does not allow this; ask an administrator';
    case 'unavailable': {
      const reason = (error.details as { reason?: string } | undefined)?.reason;
      if (reason && CERTIFICATE_REASONS.test(reason)) {
        return (
          `the controller's certificate at ${url} is not trusted (${reason}): set APIARY_CA=FILE ` +
          "or pass --ca FILE (a self-signed controller's certificate: apiary-controller info)"
        );
      }
      return reason
        ? `is the controller running at ${url}? set APIARY_URL or 'apiary login --url URL'`
        : 'the service is busy or restarting; try again shortly';
    }
    case 'timeout':
      return 'the controller did not answer in time; try again';
    case 'insufficient_capacity':
      return "see the per-host reasons above, or free capacity with 'apiary envs delete'";
    case 'quota_exceeded':
      return "see 'apiary images usage'; delete images you no longer need, or ask a super-admin for a larger quota";
    case 'insufficient_storage':
      return "the controller's disk is nearly full; ask its operator to free space, then upload again";
    default:
      return null;
  }
}

/**
 * The first line of an API error. A validation error's own message already lists its issues;
 * they are printed one per line below instead, so each is said once.
 */
function headline(error: ApiError, issues: ValidationIssue[] | null): string {
  const where = error.requestId ? ` (request ${error.requestId})` : '';
  return `error: ${issues ? 'invalid request' : error.message}${where}\n`;
}

/** Renders any error for the terminal; returns the process exit code. */
export function reportError(
  error: unknown,
  url: string,
  stderr: NodeJS.WritableStream,
  genericHint = true,
): number {
  if (error instanceof HintedError) {
    const code = reportError(error.error, url, stderr, false);
    stderr.write(`hint: ${error.hint}\n`);
    return code;
  }
  if (error instanceof UsageError) {
    stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof InvalidInput) {
    for (const problem of error.problems) stderr.write(`error: ${problem}\n`);
    return 1;
  }
  if (error instanceof ApiError) {
    const listed = IssueList.safeParse(error.details);
    const issues = error.code === 'validation' && listed.success ? listed.data : null;
    stderr.write(headline(error, issues));
    for (const issue of issues ?? []) {
      stderr.write(`  ${issue.path || '(body)'}: ${issueMessage(issue)}\n`);
    }
    if (issues && error.omittedIssues > 0) stderr.write(`  (and ${error.omittedIssues} more)\n`);
    const refusal = InsufficientCapacityDetails.safeParse(error.details);
    if (error.code === 'insufficient_capacity' && refusal.success) {
      for (const host of refusal.data.hosts) {
        stderr.write(`  ${host.hostname}: ${host.reasons.join('; ')}\n`);
      }
    }
    const advice = genericHint ? hint(error, url) : null;
    if (advice) stderr.write(`hint: ${advice}\n`);
    return 1;
  }
  stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
