import {
  ExtendEnvReq,
  formatDurationExact,
  issueMessage,
  validationIssues,
} from '@apiary/protocol';

export type ExtendFormResult = { ok: true; body: ExtendEnvReq } | { ok: false; error: string };

/**
 * Hours typed in the extend dialog -> the `extend` request body, checked with the protocol's
 * schema; its limits are said as durations (`at most 30d`), as the CLI says them.
 */
export function extendFromHours(hours: string): ExtendFormResult {
  const text = hours.trim();
  const seconds = text === '' ? Number.NaN : Math.round(Number(text) * 3600);
  const parsed = ExtendEnvReq.safeParse({ seconds });
  if (parsed.success) return { ok: true, body: parsed.data };
  const [issue] = validationIssues(parsed.error, { limit: 1 }).issues;
  return { ok: false, error: issue ? issueMessage(issue, formatDurationExact) : 'not a duration' };
}
