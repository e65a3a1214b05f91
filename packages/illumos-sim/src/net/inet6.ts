/**
 * inet_pton/inet_ntop for the addresses overlay properties and varpd entries carry: IPv4 in
 * strict dotted-quad form (no leading zeros), IPv6 as eight 16-bit words (`::` and a trailing
 * dotted quad allowed). inet_ntop compresses the first longest run of two or more zero words
 * and prints IPv4-mapped addresses as their IPv4 part (the overlay code converts those first).
 */
export function parseIpv4Strict(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  if (!parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

export function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4Strict(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(Number.parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = words(halves[0]!);
  const tail = halves.length === 2 ? words(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  if (head.length + tail.length > 7) return undefined;
  return [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
}

export function formatIpv6(words: number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  const hex = (w: number) => w.toString(16);
  if (best < 0) return words.map(hex).join(':');
  const left = words.slice(0, best).map(hex).join(':');
  const right = words
    .slice(best + bestLen)
    .map(hex)
    .join(':');
  return `${left}::${right}`;
}

/** An address as the kernel stores it: IPv6, with IPv4 as v4-mapped (::ffff:a.b.c.d). */
export function toInet6(text: string): number[] | undefined {
  const v6 = parseIpv6(text);
  if (v6) return v6;
  const v4 = parseIpv4Strict(text);
  if (!v4) return undefined;
  return [0, 0, 0, 0, 0, 0xffff, (v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
}

export function isV4Mapped(w: number[]): boolean {
  return w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff;
}

/** How dladm prints an overlay IP property (print_overlay_value). */
export function formatInet6(w: number[]): string {
  if (isV4Mapped(w)) return [w[6]! >> 8, w[6]! & 255, w[7]! >> 8, w[7]! & 255].join('.');
  return formatIpv6(w);
}
