/**
 * IPv4 address helpers for ipnat/ipf normalization: `0/32` is `0.0.0.0/32`, a dotted mask
 * becomes a prefix length, a bare host gets `/32` where the kernel stores one.
 */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  if (!parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  // inet_addr-style short forms: `0` is 0.0.0.0, `10` is 10.0.0.0 in ipf's parser
  const nums = parts.map(Number);
  while (nums.length < 4) nums.push(0);
  return ((nums[0]! << 24) >>> 0) + (nums[1]! << 16) + (nums[2]! << 8) + nums[3]!;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskToBits(mask: string): number | undefined {
  if (/^\d+$/.test(mask)) {
    const bits = Number(mask);
    return bits <= 32 ? bits : undefined;
  }
  const n = parseIpv4(mask);
  if (n === undefined || mask.split('.').length !== 4) return undefined;
  const bits = n.toString(2).replace(/0+$/, '');
  if (n !== 0 && bits.includes('0')) return undefined;
  return n === 0 ? 0 : bits.length;
}

/** `A[/M]` to `a.b.c.d/bits` (bare host gets /32), or undefined if not an address. */
export function normalizeCidr(text: string): string | undefined {
  const [addr, mask] = text.split('/') as [string, string | undefined];
  const n = parseIpv4(addr);
  if (n === undefined) return undefined;
  const bits = mask === undefined ? 32 : maskToBits(mask);
  if (bits === undefined) return undefined;
  return `${formatIpv4(n)}/${bits}`;
}

/** A host address without a mask: dotted quad, as ipnat prints rdr targets. */
export function normalizeHost(text: string): string | undefined {
  if (text.includes('/')) return undefined;
  const n = parseIpv4(text);
  return n === undefined ? undefined : formatIpv4(n);
}

export function isCidr(text: string): boolean {
  const [addr, mask] = text.split('/') as [string, string | undefined];
  return (
    addr.split('.').length === 4 &&
    parseIpv4(addr) !== undefined &&
    (mask === undefined || maskToBits(mask) !== undefined)
  );
}

const SERVICES: Record<string, number> = {
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  http: 80,
  www: 80,
  pop3: 110,
  ntp: 123,
  imap: 143,
  snmp: 161,
  https: 443,
  submission: 587,
  imaps: 993,
  pop3s: 995,
  'ms-sql-s': 1433,
  mysql: 3306,
  postgresql: 5432,
};

export function portNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return SERVICES[text];
}

export function serviceName(port: number): string {
  const hit = Object.entries(SERVICES).find(([name, p]) => p === port && name !== 'www');
  return hit ? hit[0] : `${port}`;
}
