import type { OverlayEntry } from '@apiary/protocol';

/*
 * The varpd `files` plugin's mapping (usr/src/lib/varpd/files/common/libvarpd_files.c): a JSON
 * object keyed by MAC address, each value naming the underlay destination (`ip`, `port`) of
 * that MAC and the IPv4 address varpd answers proxied ARP with (`arp`). Every host of an
 * environment gets the same file: a lookup for a MAC on the same host is answered like any
 * other (the overlay sends it to its own underlay address).
 */

export function mappingFileText(entries: readonly OverlayEntry[]): string {
  const byMac: Record<string, { ip: string; port: number; arp: string }> = {};
  // Sorted, so the same mapping always writes the same bytes.
  for (const e of [...entries].sort((a, b) => a.mac.localeCompare(b.mac)))
    byMac[e.mac] = { ip: e.underlay_ip, port: e.underlay_port, arp: e.ip };
  return `${JSON.stringify(byMac, null, 2)}\n`;
}

/** Whether two mappings say the same (order does not matter). */
export function sameMapping(a: readonly OverlayEntry[], b: readonly OverlayEntry[]): boolean {
  return mappingFileText(a) === mappingFileText(b);
}
