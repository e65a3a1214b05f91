/*
 * Units of usage figures as the charts and cards write them. Rates are bytes per second in
 * binary units (`1.5 MiB/s`, like the sizes from `@apiary/protocol`), shares are whole
 * percents, CPU time is in CPUs' worth (`1.5 CPUs`: what `apiary-sim load --cpu` sets).
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** `0 B`, `900 B`, `1.5 KiB`, `12 GiB`: one decimal below 100, none above, no trailing `.0`. */
export function formatByteAmount(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  let unit = 0;
  let scaled = Math.abs(bytes);
  while (scaled >= 1024 && unit < UNITS.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  if (unit === 0) return `${sign}${Math.round(scaled)} B`;
  const text = scaled >= 100 ? scaled.toFixed(0) : scaled.toFixed(1).replace(/\.0$/, '');
  return `${sign}${text} ${UNITS[unit]}`;
}

/** `4 MiB/s`: a byte rate. */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatByteAmount(bytesPerSecond)}/s`;
}

/** A 0..1 share as `42%`; `0.4%` below one percent so a trickle is not shown as nothing. */
export function formatShare(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  const pct = ratio * 100;
  if (pct > 0 && pct < 1) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

/** CPUs' worth of time: `1.5 CPUs`, `1 CPU`, `0.25 CPUs`. */
export function formatCpus(cpus: number): string {
  if (!Number.isFinite(cpus)) return '—';
  const text = cpus >= 10 ? cpus.toFixed(0) : String(Number(cpus.toFixed(2)));
  return `${text} ${text === '1' ? 'CPU' : 'CPUs'}`;
}

/** What a chart's axis and legend write for a value of its unit (null: no sample there). */
export type ChartUnit = 'share' | 'bytes' | 'byte-rate' | 'cpus';

export function formatChartValue(unit: ChartUnit, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  switch (unit) {
    case 'share':
      return formatShare(value);
    case 'bytes':
      return formatByteAmount(value);
    case 'byte-rate':
      return formatByteRate(value);
    case 'cpus':
      return formatCpus(value);
  }
}
