import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/**
 * The names a self-signed certificate is made for: loopback, this machine's host name, every
 * address its interfaces have, and the extra names a daemon knows it is reached by (its listen
 * host, its public address). A client that checks names (the CLI with APIARY_CA, a browser)
 * accepts the certificate under any of them; a client that pins the fingerprint ignores names.
 */
export function certificateNames(extra: readonly (string | null | undefined)[] = []): string[] {
  const names = new Set<string>(['localhost', '127.0.0.1', '::1', hostname()]);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      // Link-local IPv6 addresses carry a zone (%eth0) and name no one from elsewhere.
      if (!a.address.startsWith('fe80:')) names.add(a.address);
    }
  }
  for (const name of extra) {
    const n = name?.replace(/^\[|\]$/g, '');
    if (n && n !== '0.0.0.0' && n !== '::') names.add(n);
  }
  return [...names].filter((n) => isIP(n) !== 0 || /^[A-Za-z0-9.-]{1,253}$/.test(n));
}
