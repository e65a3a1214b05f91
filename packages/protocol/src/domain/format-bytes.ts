/*
 * Sizes as operators read them, in binary units with at most one decimal and no trailing `.0`:
 * `512 MiB`, `1.5 GiB`, `40 GiB`. Memory and disk arrive in MiB (seed API), image sizes and
 * transfers in bytes.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** One decimal below 100, none above: `1.5`, `12.5`, `640`. */
function short(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
}

/** Scales `value` (counted in `UNITS[from]`) to the largest unit it fills at least once. */
function scale(value: number, from: number): string {
  let unit = from;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < UNITS.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return unit === from ? `${value} ${UNITS[unit]}` : `${short(scaled)} ${UNITS[unit]}`;
}

/** Byte counts (image sizes, upload progress): `900 B`, `1.5 KiB`, `300 MiB`. */
export function formatBytes(bytes: number): string {
  return scale(bytes, 0);
}

/** MiB (VM memory and disk, host capacity): `512 MiB`, `1 GiB`, `2 TiB`. */
export function formatMiB(mib: number): string {
  return scale(mib, 2);
}

/**
 * `12.5 / 64 GiB`: a reserved share in the unit of its total, so the two read together. A
 * share under one unit of the total would round to `0`: it is said in its own unit instead.
 */
export function formatMiBOf(used: number, total: number): { used: string; total: string } {
  const [divisor, unit] =
    total >= 1024 * 1024 ? [1024 * 1024, 'TiB'] : total >= 1024 ? [1024, 'GiB'] : [1, 'MiB'];
  const totalText = `${short(total / divisor)} ${unit}`;
  if (used === 0) return { used: '0', total: totalText };
  if (used < divisor) return { used: formatMiB(used), total: totalText };
  return { used: short(used / divisor), total: totalText };
}
