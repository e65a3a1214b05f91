import { ApiError, InsufficientCapacityDetails, type ValidationIssue } from '@apiary/protocol';

/** A mistake in how the command was used: exit code 2, like the usage errors of commander. */
export class UsageError extends Error {}

/** What to do about an error, in one line the user can act on. */
function hint(error: ApiError, url: string): string | null {
  switch (error.code) {
    case 'unauthenticated':
      return "log in with 'apiary login', or set APIARY_API_KEY";
    case 'forbidden':
      return 'your role or organization does not allow this; ask an administrator';
    case 'unavailable':
      return (error.details as { reason?: string } | undefined)?.reason
        ? `is the controller running at ${url}? set APIARY_URL or 'apiary login --url URL'`
        : 'the service is busy or restarting; try again shortly';
    case 'timeout':
      return 'the controller did not answer in time; try again';
    case 'insufficient_capacity':
      return "see the per-host reasons above, or free capacity with 'apiary envs delete'";
    default:
      return null;
  }
}

/** Renders any error for the terminal; returns the process exit code. */
export function reportError(error: unknown, url: string, stderr: NodeJS.WritableStream): number {
  if (error instanceof UsageError) {
    stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ApiError) {
    stderr.write(
      `error: ${error.message}${error.requestId ? ` (request ${error.requestId})` : ''}\n`,
    );
    const details = error.details;
    if (error.code === 'validation' && Array.isArray(details)) {
      for (const issue of details as ValidationIssue[]) {
        stderr.write(`  ${issue.path || '(body)'}: ${issue.message}\n`);
      }
    }
    const refusal = InsufficientCapacityDetails.safeParse(details);
    if (error.code === 'insufficient_capacity' && refusal.success) {
      for (const host of refusal.data.hosts) {
        stderr.write(`  ${host.hostname}: ${host.reasons.join('; ')}\n`);
      }
    }
    const advice = hint(error, url);
    if (advice) stderr.write(`hint: ${advice}\n`);
    return 1;
  }
  stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}
