import { formatBytes, type IntakeProgress, type MigrationProgress } from '@apiary/protocol';

const WIDTH = 20;

/**
 * A migration's copy as a bar: `[########------------] 42% 40.0 MiB of 96.0 MiB`. Whole
 * percents only, so the progress line changes (and is printed again) at most a hundred times.
 */
export function progressBar(p: MigrationProgress): string {
  const ratio = p.bytes_total > 0 ? Math.min(1, p.bytes_sent / p.bytes_total) : 0;
  const filled = Math.round(ratio * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  return `[${bar}] ${Math.floor(ratio * 100)}% ${formatBytes(p.bytes_sent)} of ${formatBytes(p.bytes_total)}`;
}

/**
 * An image download as the same bar when the server said the total; without one, the bytes
 * so far. Past the download, the phase (`verify`, `unpack`, `convert`, `store`).
 */
export function intakeBar(p: IntakeProgress): string {
  if (p.phase !== 'download') return p.phase;
  if (p.bytes_total === null) return `${formatBytes(p.bytes_received)} so far`;
  return progressBar({ bytes_sent: p.bytes_received, bytes_total: p.bytes_total });
}
