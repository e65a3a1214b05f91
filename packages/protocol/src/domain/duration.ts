/*
 * Durations as people write them: `90s`, `30m`, `6h`, `2d`, `1h30m`. The CLI reads them from
 * flags, and both the CLI and the dashboard write them back in the same units, so a limit the
 * controller states in seconds reads as `30d` wherever it is shown.
 */

const UNIT_SECONDS = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;

/**
 * `90`, `90s`, `30m`, `6h`, `2d`, `1w`, `1h30m`, `1d 2h` -> seconds. A bare number is seconds.
 * Throws a readable error for anything else (`6 hours`, `1.5h`, `-5m`).
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+)([wdhms])\s*/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: use e.g. 90s, 30m, 6h, 2d`);
  }
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_SECONDS[unit as Unit], 0);
}

/** Whole seconds split into days, hours, minutes and seconds (negative counts as 0). */
function split(totalSeconds: number): Array<[number, 'd' | 'h' | 'm' | 's']> {
  const s = Math.max(0, Math.floor(totalSeconds));
  return [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
}

/**
 * A duration for reading at a glance: the two largest units, `5h 59m`, `2d 3h`, `42s`; a unit
 * that is zero is left out (`1h`, `2d`), and seconds only matter under ten minutes.
 */
export function formatDuration(totalSeconds: number): string {
  const parts = split(totalSeconds);
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  const [n, unit] = parts[first] as [number, string];
  const next = parts[first + 1];
  const minutesOnly = unit === 'm' && n >= 10;
  if (!next || next[0] === 0 || minutesOnly) return `${n}${unit}`;
  return `${n}${unit} ${next[0]}${next[1]}`;
}

/**
 * A duration with nothing rounded away, for limits and anything a person may type back:
 * `30d`, `1d 1h 1m 1s`, `0s`. `parseDuration` reads it back to the same number.
 */
export function formatDurationExact(totalSeconds: number): string {
  const text = split(totalSeconds)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
  return text || '0s';
}

/** Time left until a deadline, in seconds: `expired` once it has passed. */
export function formatTimeLeft(seconds: number): string {
  return seconds <= 0 ? 'expired' : formatDuration(seconds);
}
