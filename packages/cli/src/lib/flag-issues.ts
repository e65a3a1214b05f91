import {
  ApiError,
  type BoundFormat,
  bodyIssues,
  issueMessage,
  type ValidationIssue,
} from '@apiary/protocol';

/** Where a request field came from, as the user would recognise it (`--lifetime 400d`). */
export interface FieldSource {
  label: string;
  /** Writes the field's limits in the unit it was typed in (`30d`, `1 GiB`). */
  bound?: BoundFormat;
}

/** Maps a request path (`vms.0.cpu`, `lifetime`) to where the user gave that value. */
export type SourceOf = (path: string) => FieldSource | undefined;

/**
 * Input the controller's rules refuse, said per flag: `--lifetime 400d: at most 30d`. Exits 1,
 * like a validation error from the controller (a misuse of the command itself exits 2).
 */
export class InvalidInput extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** `--id 'Bad Name'`: a typed value as it would be typed again, quoted when it must be. */
export function flagLabel(flag: string, typed: string | undefined): string {
  if (typed === undefined) return flag;
  return /^[\w@.:/~+,=-]+$/.test(typed) ? `${flag} ${typed}` : `${flag} '${typed}'`;
}

/** Each issue in the user's own terms, once: copies of one VM spec fail alike. */
export function describeIssues(issues: ValidationIssue[], sourceOf: SourceOf): string[] {
  const lines = issues.map((issue) => {
    const source = sourceOf(issue.path);
    const label = source?.label ?? issue.path;
    const text = issueMessage(issue, source?.bound);
    return label ? `${label}: ${text}` : text;
  });
  return [...new Set(lines)];
}

/** Throws `InvalidInput` when there are issues; `omitted` counts those not listed. */
export function refuseIssues(issues: ValidationIssue[], sourceOf: SourceOf, omitted = 0): void {
  if (issues.length === 0) return;
  const problems = describeIssues(issues, sourceOf);
  if (omitted > 0) problems.push(`(and ${omitted} more)`);
  throw new InvalidInput(problems);
}

/**
 * Runs a request; if it is refused for its body (checked by the typed client before sending,
 * or by the controller), the issues are said per flag instead of per JSON path.
 */
export async function withFlagIssues<T>(sourceOf: SourceOf, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const omitted = error instanceof ApiError ? error.omittedIssues : 0;
    refuseIssues(bodyIssues(error), sourceOf, omitted);
    throw error;
  }
}
