import { formatDurationExact, parseDuration } from '@apiary/protocol';
import { UsageError } from './errors.js';
import { flagLabel, type SourceOf } from './flag-issues.js';

/** A duration flag (`--lifetime 6h`) in seconds; a misspelt one is a usage error. */
export function durationFlag(flag: string, text: string): number;
export function durationFlag(flag: string, text: string | undefined): number | undefined;
export function durationFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** Issues about request field `field` are said as `--flag 400d: at most 30d`. */
export function durationSource(field: string, flag: string, typed: string | undefined): SourceOf {
  const source = { label: flagLabel(flag, typed), bound: formatDurationExact };
  return (path) => (path === field ? source : undefined);
}
