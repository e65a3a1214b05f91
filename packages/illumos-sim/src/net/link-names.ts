import { randomHex } from '../core/ids.js';
import type { HostState, LinkRecord } from '../core/state-types.js';

/**
 * Datalink name rules (at most 31 characters, starting with a letter, ending in a digit) and
 * MAC addresses as dladm prints them: lowercase hex, each octet without zero padding.
 */
export function isValidLinkName(name: string): boolean {
  return name.length <= 31 && /^[A-Za-z][A-Za-z0-9_.]*[0-9]$/.test(name);
}

export function formatMac(octets: number[]): string {
  return octets.map((o) => o.toString(16)).join(':');
}

export function parseMac(text: string): number[] | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  const octets = parts.map((p) => Number.parseInt(p, 16));
  if (octets[0]! & 1) return undefined; // multicast
  return octets;
}

export function randomMac(prefix: number[] = [2, 8, 32]): string {
  const rest = Array.from({ length: 6 - prefix.length }, () => Number.parseInt(randomHex(1), 16));
  return formatMac([...prefix, ...rest]);
}

export function findLink(state: HostState, name: string): LinkRecord | undefined {
  return state.links.find((l) => l.name === name);
}
