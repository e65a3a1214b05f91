import { z } from 'zod';
import { selfSignedPaths } from './certificate-store.js';
import { isLoopbackHost } from './loopback.js';

/**
 * How a daemon serves: the TLS flags both daemons take, and the one rule they share. HTTPS is
 * on by default for any address but loopback; plain HTTP off loopback needs --insecure-http.
 * A loopback-bound daemon may stay on plain HTTP: nothing it serves crosses a network, and
 * whoever can read loopback traffic on the host (root) can read the daemon's data dir anyway.
 */
export const TlsSettings = z.object({
  /** `auto`: HTTPS unless bound to loopback. `on`: HTTPS everywhere. `off`: plain HTTP. */
  tls: z.enum(['auto', 'on', 'off']).default('auto'),
  /** PEM certificate (chain) and key; both or neither. Re-read on SIGHUP. */
  tlsCert: z.string().min(1).nullable().default(null),
  tlsKey: z.string().min(1).nullable().default(null),
  /** Consent to plain HTTP on a non-loopback address (credentials in clear on the wire). */
  insecureHttp: z.boolean().default(false),
});
export type TlsSettings = z.infer<typeof TlsSettings>;

export type ServingPlan =
  | { scheme: 'http' }
  | { scheme: 'https'; certFile: string; keyFile: string; selfSigned: boolean };

export class ServingPlanError extends Error {}

/** Decides HTTP or HTTPS for `listenHost`; throws `ServingPlanError` with what to change. */
export function planServing(listenHost: string, dataDir: string, s: TlsSettings): ServingPlan {
  if ((s.tlsCert === null) !== (s.tlsKey === null)) {
    throw new ServingPlanError('--tls-cert and --tls-key go together: give both or neither');
  }
  const given = s.tlsCert !== null;
  if (given && (s.tls === 'off' || s.insecureHttp)) {
    throw new ServingPlanError('--tls-cert contradicts --tls off / --insecure-http');
  }
  if (s.tls === 'on' && s.insecureHttp) {
    throw new ServingPlanError('--tls on contradicts --insecure-http');
  }
  const plain =
    s.insecureHttp || s.tls === 'off' || (s.tls === 'auto' && isLoopbackHost(listenHost));
  if (plain && !given) {
    if (!isLoopbackHost(listenHost) && !s.insecureHttp) {
      throw new ServingPlanError(
        `refusing plain HTTP on ${listenHost}: API keys, host credentials and session tokens ` +
          'would cross the network in clear. Serve HTTPS (the default; --tls-cert/--tls-key, or ' +
          'a self-signed certificate made in the data dir) or, knowing this, pass --insecure-http',
      );
    }
    return { scheme: 'http' };
  }
  if (given) {
    return {
      scheme: 'https',
      certFile: s.tlsCert as string,
      keyFile: s.tlsKey as string,
      selfSigned: false,
    };
  }
  return { scheme: 'https', ...selfSignedPaths(dataDir), selfSigned: true };
}

/** The same rule for a URL a daemon connects to (the agent's --controller). */
export function checkPlainUrl(url: string, flag: string, insecureHttp: boolean): void {
  const u = new URL(url);
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname) && !insecureHttp) {
    throw new ServingPlanError(
      `refusing ${flag} ${url}: plain HTTP off loopback sends credentials in clear. ` +
        'Use https:// (with --controller-ca or --controller-fingerprint for a self-signed ' +
        'certificate) or, knowing this, pass --insecure-http',
    );
  }
}
