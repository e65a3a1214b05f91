import { formatBytes, type IntakeProgress } from '@apiary/protocol';

const PHASES: Record<IntakeProgress['phase'], string> = {
  download: 'downloading',
  verify: 'checking the checksum',
  unpack: 'unpacking the box',
  convert: 'converting to raw (qemu-img)',
  store: 'storing',
};

/**
 * An image intake's progress in words: `downloading · 1.5 MiB of 3 MiB`, `downloading ·
 * 1.5 MiB` (no total from the server), `converting to raw (qemu-img)`.
 */
export function intakeText(p: IntakeProgress): string {
  if (p.phase !== 'download' || p.bytes_received === 0) return PHASES[p.phase];
  const of = p.bytes_total ? ` of ${formatBytes(p.bytes_total)}` : '';
  return `${PHASES.download} · ${formatBytes(p.bytes_received)}${of}`;
}

/** The bar's fill, when the download's total is known (else the bar has no value). */
export function intakeRatio(p: IntakeProgress): { value: number; max: number } | null {
  if (p.phase !== 'download' || !p.bytes_total) return null;
  return { value: Math.min(p.bytes_received, p.bytes_total), max: p.bytes_total };
}
