/**
 * One kstat as the kstat(8) command sees it after reading the chain: module, instance, name,
 * class, type, creation and snapshot times (ns since boot), and its named statistics with the
 * kernel's data types. The type decides how a value prints and where it wraps: a UINT32
 * counter such as `link:0:e1000g0:rbytes` wraps at 2^32 exactly like the kernel's.
 */
export type KValue =
  | { t: 'u32'; v: bigint | number }
  | { t: 'i32'; v: bigint | number }
  | { t: 'u64'; v: bigint | number }
  | { t: 'i64'; v: bigint | number }
  | { t: 'str'; v: string }
  | { t: 'hrtime'; v: bigint };

/** KSTAT_TYPE_RAW = 0, NAMED = 1, INTR = 2, IO = 3, TIMER = 4 (sys/kstat.h). */
export type KstatType = 0 | 1 | 2 | 3 | 4;

export interface KstatInstance {
  module: string;
  instance: number;
  name: string;
  class: string;
  type: KstatType;
  crtime: bigint;
  snaptime: bigint;
  stats: Array<[string, KValue]>;
}

export const u32 = (v: bigint | number): KValue => ({ t: 'u32', v });
export const i32 = (v: bigint | number): KValue => ({ t: 'i32', v });
export const u64 = (v: bigint | number): KValue => ({ t: 'u64', v });
export const i64 = (v: bigint | number): KValue => ({ t: 'i64', v });
export const str = (v: string): KValue => ({ t: 'str', v });

const TWO32 = 1n << 32n;
const TWO64 = 1n << 64n;

function wrap(v: bigint | number, bits: bigint, signed: boolean): bigint {
  const n = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
  const mod = bits === 32n ? TWO32 : TWO64;
  let r = ((n % mod) + mod) % mod;
  if (signed && r >= mod / 2n) r -= mod;
  return r;
}

/** ks_value_print(): %u / %d / %llu / %lld / %s, and HRTIME as seconds with %.9f. */
export function formatValue(value: KValue): string {
  switch (value.t) {
    case 'u32':
      return `${wrap(value.v, 32n, false)}`;
    case 'i32':
      return `${wrap(value.v, 32n, true)}`;
    case 'u64':
      return `${wrap(value.v, 64n, false)}`;
    case 'i64':
      return `${wrap(value.v, 64n, true)}`;
    case 'str':
      return value.v;
    case 'hrtime':
      // printf("%.9f", ns / 1000000000.0): computed in a double, as the C code does.
      return value.v === 0n ? '0' : (Number(value.v) / 1e9).toFixed(9);
  }
}

/** KSTAT_STRLEN is 31: module, name and statistic names keep at most 30 characters. */
export function kstatString(s: string): string {
  return s.slice(0, 30);
}

/** strcasecmp(3) in the C locale. */
export function strcasecmp(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}
