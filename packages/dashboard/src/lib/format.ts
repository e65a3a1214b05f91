import { formatDuration, formatTimeLeft } from '@apiary/protocol';

/*
 * What only the dashboard shows: urgency colours, "ago" labels, local dates. Sizes and
 * durations come from `@apiary/protocol`, so the CLI and the dashboard write them alike.
 */

/** Whole share of `part` in `total`, 0 when there is no total. Clamped to 0..100. */
export function percent(part: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((part / total) * 100)));
}

export type Urgency = 'calm' | 'soon' | 'urgent' | 'expired';

/** Time left until `expiresAt`, with how worried the operator should be. */
export function countdown(expiresAt: string, now: number): { text: string; urgency: Urgency } {
  const left = (Date.parse(expiresAt) - now) / 1000;
  if (!Number.isFinite(left)) return { text: '—', urgency: 'calm' };
  const urgency: Urgency =
    left <= 0 ? 'expired' : left < 300 ? 'urgent' : left < 1800 ? 'soon' : 'calm';
  return { text: formatTimeLeft(left), urgency };
}

/** `12s ago`, `3m ago`, `2d ago`; `never` for a missing timestamp. */
export function formatAgo(at: string | null | undefined, now: number): string {
  if (!at) return 'never';
  const seconds = (now - Date.parse(at)) / 1000;
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 5) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

/** Local date and time for tooltips and detail pages. */
export function formatDateTime(at: string | null | undefined): string {
  if (!at) return '—';
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** `sha256:3f2a…9c1d`: enough of a digest to tell images apart. */
export function shortDigest(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return `${hex.slice(0, 12)}`;
}
