import type { ValidationIssue } from '../schemas/errors.js';

/** Writes a bound in the unit the person typed it in (`30d`, `1 GiB`, `64`). */
export type BoundFormat = (value: number) => string;

/**
 * A validation issue in plain words, from its structured fields: `at most 30d`, `at least 1`,
 * `must be a whole number`, `must be one of rollback, keep`. `bound` writes the numbers of range
 * issues in the field's own unit (seconds as a duration, MiB as a size); without it they are
 * plain numbers, or lengths (`at most 64 characters`, `at least 1 entry`).
 *
 * Messages a schema wrote itself (`own_message`: `must be 1-40 lowercase letters...`, `is
 * required (--data-dir DIR)`) are kept as written; so is any issue without a `code` (written by
 * hand by a service).
 *
 * @example issueMessage({ path: 'lifetime', code: 'too_big', origin: 'number',
 *   maximum: 2592000, inclusive: true, message: '...' }, formatDurationExact) // 'at most 30d'
 */
export function issueMessage(issue: ValidationIssue, bound?: BoundFormat): string {
  if (issue.own_message) return issue.message;
  switch (issue.code) {
    case 'too_big':
    case 'too_small':
      return rangeMessage(issue, bound);
    case 'invalid_type':
      return typeMessage(issue);
    case 'invalid_value':
      return valueMessage(issue);
    case 'unrecognized_keys': {
      const keys = issue.keys ?? [];
      return `unknown field${keys.length === 1 ? '' : 's'} ${keys.join(', ')}`;
    }
    case 'not_multiple_of':
      return issue.divisor === undefined
        ? issue.message
        : `must be a multiple of ${(bound ?? String)(issue.divisor)}`;
    case 'invalid_union':
      return issue.alternatives?.length ? issue.alternatives.join(' or ') : issue.message;
    default:
      return issue.message;
  }
}

function rangeMessage(issue: ValidationIssue, bound: BoundFormat | undefined): string {
  const big = issue.code === 'too_big';
  const value = big ? issue.maximum : issue.minimum;
  if (value === undefined) return issue.message;
  if (!big && issue.origin === 'string' && value === 1 && issue.inclusive !== false && !bound) {
    return 'must not be empty';
  }
  const amount = bound ? bound(value) : sized(value, issue.origin);
  if (issue.exact) return `exactly ${amount}`;
  if (issue.inclusive === false) return `${big ? 'less' : 'more'} than ${amount}`;
  return `${big ? 'at most' : 'at least'} ${amount}`;
}

/** A length says what it counts; a number is just the number. */
function sized(value: number, origin: string | undefined): string {
  const one = value === 1;
  if (origin === 'string') return `${value} character${one ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${value} entr${one ? 'y' : 'ies'}`;
  if (origin === 'file') return `${value} byte${one ? '' : 's'}`;
  if (origin === 'date') return new Date(value).toISOString();
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  nonoptional: 'is required',
  int: 'must be a whole number',
  number: 'must be a number',
  string: 'must be text',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be an object',
};

function typeMessage(issue: ValidationIssue): string {
  if (!issue.expected) return issue.message;
  return TYPE_WORDS[issue.expected] ?? `must be ${issue.expected}`;
}

function valueMessage(issue: ValidationIssue): string {
  const values = (issue.values ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (values.length === 0) return issue.message;
  if (values.length === 1) return `must be ${values[0]}`;
  return `must be one of ${values.join(', ')}`;
}
