/*
 * Sizes as people type them for memory and disks: `512M`, `20G`, `1.5T`, `40GiB`, or a bare
 * number of MiB (the seed API's unit, what `--mem 2048` always meant). The CLI reads them from
 * flags and the dashboard from its forms, so `20G` means the same everywhere.
 */

const UNIT_MIB = { m: 1, g: 1024, t: 1024 * 1024 } as const;

/**
 * `2048`, `512M`, `20G`, `1.5T`, `40 GiB`, `20gb` -> whole MiB (binary units: G is 1024 MiB).
 * Throws a readable error for anything else (`-1G`, `20X`, `0.3M`, which is no whole MiB).
 */
export function parseSizeMiB(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:([mgt])(?:i?b)?)?$/i.exec(text.trim());
  const unit = (match?.[2]?.toLowerCase() ?? 'm') as keyof typeof UNIT_MIB;
  const mib = match ? Number(match[1]) * UNIT_MIB[unit] : Number.NaN;
  if (!Number.isSafeInteger(mib)) {
    throw new Error(
      `invalid size ${JSON.stringify(text)}: use e.g. 512M, 20G or 1T (a bare number is MiB)`,
    );
  }
  return mib;
}
