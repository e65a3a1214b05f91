import { isIP } from 'node:net';

/**
 * Whether a listen or connect host stays on this machine: `localhost`, 127.0.0.0/8, `::1`
 * (and `::ffff:127.x.y.z`). Traffic to it never crosses a network, so it cannot be sniffed by
 * anyone who could not read the daemon's data dir anyway; everything else can.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}
