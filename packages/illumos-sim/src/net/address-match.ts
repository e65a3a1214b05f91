import { normalizeCidr, parseIpv4 } from './addresses.js';

/** Whether `ip` (dotted quad) lies in `cidr` (`a.b.c.d/bits`, or a bare host). */
export function cidrContains(cidr: string, ip: string): boolean {
  const normalized = normalizeCidr(cidr);
  const target = parseIpv4(ip);
  if (normalized === undefined || target === undefined || ip.split('.').length !== 4) return false;
  const [base, bits] = normalized.split('/') as [string, string];
  const width = Number(bits);
  if (width === 0) return true;
  const mask = (0xffffffff << (32 - width)) >>> 0;
  return ((parseIpv4(base) as number) & mask) >>> 0 === (target & mask) >>> 0;
}

/** The address part of `a.b.c.d/bits`. */
export function hostPart(cidr: string): string {
  return cidr.split('/')[0] as string;
}
