/**
 * Sizes as the illumos tools read and print them. `parseSize` accepts zfs's suffixes (binary:
 * K/M/G/T/P/E with an optional trailing B, decimal fractions allowed: `1.5G`); `nicenum` is
 * libzfs's zfs_nicenum: at most 5 characters, e.g. `96K`, `1.50G`, `32.5G`, `401G`.
 */
const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([KMGTPEkmgtpe]?)([Bb]?)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toUpperCase();
  if (m[3] && unit === '' && text.trim().toUpperCase().endsWith('B') && !/^\d+B$/i.test(text)) {
    return undefined;
  }
  const value = Number(m[1]) * 1024 ** UNITS.indexOf(unit);
  if (!Number.isFinite(value)) return undefined;
  if (unit === '' && m[1]!.includes('.')) return undefined;
  return Math.floor(value);
}

export function nicenum(n: number): string {
  if (n < 1024) return `${n}`;
  let index = 0;
  let div = 1;
  while (index < UNITS.length - 1 && n >= div * 1024) {
    index++;
    div *= 1024;
  }
  const unit = UNITS[index]!;
  if (n % div === 0) return `${n / div}${unit}`;
  for (let digits = 2; digits >= 0; digits--) {
    const text = `${(n / div).toFixed(digits)}${unit}`;
    if (text.length <= 5) return text;
  }
  return `${Math.round(n / div)}${unit}`;
}

/** `ram` attr / capped-memory style sizes with k/m/g/t suffixes (bhyve brand). */
export function parseMemSize(text: string): number | undefined {
  const m = /^(\d+)([kmgtKMGT]?)[bB]?$/.exec(text.trim());
  if (!m) return undefined;
  const pow = ['', 'k', 'm', 'g', 't'].indexOf(m[2]!.toLowerCase());
  return Number(m[1]) * 1024 ** pow;
}
