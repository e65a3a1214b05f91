import { z } from 'zod';
import { ApiError } from '../api-error.js';
import { ValidationIssue } from '../schemas/errors.js';

const IssueList = z.array(ValidationIssue);

/**
 * The validation issues of a refused request's body, with paths relative to the body
 * (`body.vms.0.cpu` -> `vms.0.cpu`), so they line up with the form fields or flags that built
 * it. Empty for any other error, and for issues about the path or query.
 */
export function bodyIssues(error: unknown): ValidationIssue[] {
  if (!(error instanceof ApiError) || error.code !== 'validation') return [];
  const issues = IssueList.safeParse(error.details);
  if (!issues.success) return [];
  return issues.data
    .filter((i) => i.path === 'body' || i.path.startsWith('body.'))
    .map((i) => ({ ...i, path: i.path.slice('body.'.length) }));
}
