import { z } from 'zod';
import type { ValidationIssue } from '../schemas/errors.js';

/** What a `ValidationIssue` says besides where (`path`) and the text (`message`). */
export type IssueFields = Omit<ValidationIssue, 'path' | 'message'>;

/**
 * The fields of a zod issue a client needs to phrase it in its own words (see
 * `ValidationIssue`); the input and zod's internals are left behind.
 */
export function issueFields(issue: z.core.$ZodIssue): IssueFields {
  const fields: IssueFields = { code: issue.code };
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
