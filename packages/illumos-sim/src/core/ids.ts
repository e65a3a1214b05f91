/** Identifiers for simulated objects: not security-relevant, so Math.random is enough. */
export function randomHex(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++)
    s += Math.floor(Math.random() * 256)
      .toString(16)
      .padStart(2, '0');
  return s;
}

export function randomUuid(): string {
  const h = randomHex(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A zfs guid: an unsigned 64-bit number printed in decimal. */
export function randomGuid(): string {
  return (BigInt(`0x${randomHex(8)}`) | 1n).toString();
}
