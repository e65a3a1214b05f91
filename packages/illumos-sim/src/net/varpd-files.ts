import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The varpd `files` search plugin (usr/src/lib/varpd/files/common/libvarpd_files.c): its one
 * property `files/config` names a JSON file on the host, read when the instance is activated
 * (varpd_files_start). The file is an object keyed by MAC address, each value an object:
 *
 *   { "2:8:20:aa:bb:cc": { "ip": "192.168.1.11", "port": 4789,
 *                          "arp": "10.10.0.5", "ndp": "fe80::1", "dhcp-proxy": "2:8:20:0:0:1" } }
 *
 * `ip` and `port` are the underlay destination; `arp`/`ndp` answer proxied ARP/NDP for that MAC.
 * Activation fails on an unreadable file, malformed JSON, a key that is not a MAC address or a
 * value that is not an object (errno EINVAL); entries are otherwise only checked at lookup.
 */
export type FilesStartError = 'ENOENT' | 'EACCES' | 'EINVAL' | 'EAGAIN';

export interface FilesEntry {
  mac: string;
  ip?: string;
  port?: number;
}

export const STRERROR: Record<FilesStartError, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument',
  EAGAIN: 'Resource temporarily unavailable',
};

/** ether_aton: six 1-2 digit hex octets separated by `:`. */
function etherAton(text: string): number[] | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => Number.parseInt(p, 16));
}

export function readFilesConfig(
  hostRoot: string,
  path: string | undefined,
): { entries: FilesEntry[] } | { error: FilesStartError } {
  if (path === undefined) return { error: 'EAGAIN' };
  const file = join(hostRoot, path);
  let text: string;
  try {
    if (statSync(file).isDirectory()) return { error: 'EINVAL' };
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { error: code === 'EACCES' ? 'EACCES' : 'ENOENT' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'EINVAL' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { error: 'EINVAL' };
  const entries: FilesEntry[] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const mac = etherAton(key);
    if (!mac || value === null || typeof value !== 'object' || Array.isArray(value))
      return { error: 'EINVAL' };
    const v = value as Record<string, unknown>;
    entries.push({
      // ether_ntoa_r: lowercase, no zero padding
      mac: mac.map((o) => o.toString(16)).join(':'),
      ...(typeof v.ip === 'string' ? { ip: v.ip } : {}),
      ...(Number.isInteger(v.port) ? { port: v.port as number } : {}),
    });
  }
  return { entries };
}
