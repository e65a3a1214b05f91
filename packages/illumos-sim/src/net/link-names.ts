import { randomHex } from '../core/ids.js';
import type { HostState, LinkRecord } from '../core/state-types.js';

/**
 * Datalink names as dladm_valid_linkname() (libdladm.c) checks them: shorter than
 * MAXLINKNAMELEN (32), not starting with a digit, ending in a number without leading zeros,
 * made of letters, digits, `_` and `.`. MAC addresses as dladm prints them: lowercase hex, each
 * octet without zero padding.
 */
export const MAXLINKNAMELEN = 32;

export function isValidLinkName(name: string): boolean {
  if (name.length >= MAXLINKNAMELEN || name === '' || /^\d/.test(name)) return false;
  const digits = /\d+$/.exec(name)?.[0];
  if (!digits || (digits.length > 1 && digits.startsWith('0'))) return false;
  return /^[A-Za-z0-9_.]+$/.test(name);
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
