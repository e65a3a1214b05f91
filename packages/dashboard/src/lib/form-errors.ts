import { bodyIssues, issueMessage, type ValidationIssue, validationIssues } from '@apiary/protocol';
import type { z } from 'zod';

/** One message per form field, keyed by the request field it belongs to. */
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export type FormCheck<T, F extends string> =
  | { ok: true; value: T }
  | { ok: false; errors: FieldErrors<F> };

/**
 * Checks a request body against the protocol's own schema, so a form refuses exactly what the
 * controller would and in the same words. Issues land on the field named by the first segment
 * of their path; the first issue per field wins.
 */
export function checkForm<S extends z.ZodType, F extends string>(
  schema: S,
  input: unknown,
  fields: readonly F[],
  fallback: F,
): FormCheck<z.output<S>, F> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    errors: issuesByField(validationIssues(parsed.error).issues, fields, fallback),
  };
}

/** The per-field errors of a controller's validation refusal (empty for any other error). */
export function refusalByField<F extends string>(
  error: unknown,
  fields: readonly F[],
  fallback: F,
): FieldErrors<F> {
  return issuesByField(bodyIssues(error), fields, fallback);
}

function issuesByField<F extends string>(
  issues: ValidationIssue[],
  fields: readonly F[],
  fallback: F,
): FieldErrors<F> {
  const errors: FieldErrors<F> = {};
  for (const issue of issues) {
    const head = issue.path.split('.')[0] ?? '';
    const field = (fields as readonly string[]).includes(head) ? (head as F) : fallback;
    errors[field] ??= issueMessage(issue);
  }
  return errors;
}
