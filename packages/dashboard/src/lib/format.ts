/** Memory and disk sizes arrive in MiB (seed API); show them the way operators read them. */
export function formatMiB(mib: number): string {
  if (mib >= 1024 * 1024) return `${trim(mib / (1024 * 1024))} TiB`;
  if (mib >= 1024) return `${trim(mib / 1024)} GiB`;
  return `${mib} MiB`;
}

/** Byte counts (image sizes, upload progress). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${trim(value)} ${units[unit]}`;
}

/** `12.5 / 64 GiB`: the reserved share in the unit of the total, so the two read together. */
export function formatMiBOf(used: number, total: number): { used: string; total: string } {
  const [divisor, unit] =
    total >= 1024 * 1024 ? [1024 * 1024, 'TiB'] : total >= 1024 ? [1024, 'GiB'] : [1, 'MiB'];
  const totalText = `${trim(total / divisor)} ${unit}`;
  if (used === 0) return { used: '0', total: totalText };
  // Less than one unit of the total would round to "0": say it in its own unit instead.
  if (used < divisor) return { used: formatMiB(used), total: totalText };
  return { used: trim(used / divisor), total: totalText };
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
}

/** Whole share of `part` in `total`, 0 when there is no total. Clamped to 0..100. */
export function percent(part: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, Math.round((part / total) * 100)));
}

/** A duration in seconds as the two largest units: `5h 59m`, `2d 3h`, `42s`. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h ${minutes}m` : `${hours}h`;
  if (minutes > 0) return seconds > 0 && minutes < 10 ? `${minutes}m ${seconds}s` : `${minutes}m`;
  return `${seconds}s`;
}

export type Urgency = 'calm' | 'soon' | 'urgent' | 'expired';

/** Time left until `expiresAt`, with how worried the operator should be. */
export function countdown(expiresAt: string, now: number): { text: string; urgency: Urgency } {
  const left = (Date.parse(expiresAt) - now) / 1000;
  if (!Number.isFinite(left)) return { text: '—', urgency: 'calm' };
  if (left <= 0) return { text: 'expired', urgency: 'expired' };
  const urgency: Urgency = left < 300 ? 'urgent' : left < 1800 ? 'soon' : 'calm';
  return { text: formatDuration(left), urgency };
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
