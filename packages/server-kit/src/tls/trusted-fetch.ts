import type { LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { checkPinnedPeer, type PeerTrust, tlsOptionsFor } from './peer-trust.js';

/**
 * A `fetch` that trusts exactly `trust` for HTTPS (plain HTTP URLs work as usual), with its own
 * connection pool. A pinned peer is checked when the handshake completes and before undici
 * writes the request, so a refused peer never sees a header (no credential leaves the
 * process). TLS sessions are not resumed: every connection shows its certificate afresh.
 */
export function trustedFetch(
  trust: PeerTrust,
  options: TrustedConnectOptions = {},
): { fetch: typeof fetch; close(): Promise<void> } {
  const dispatcher = trustedDispatcher(trust, options);
  const fetchWith = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(
      input as never,
      { ...(init as object), dispatcher } as never,
    )) as unknown as typeof fetch;
  return { fetch: fetchWith, close: () => dispatcher.close() };
}

export interface TrustedConnectOptions {
  /** Where names resolve to (a pinned lookup connects only to addresses checked before). */
  lookup?: LookupFunction;
  /** How long an idle connection is kept for reuse (undici's default otherwise). */
  keepAliveTimeoutMs?: number;
}

/** The undici dispatcher behind `trustedFetch`. */
export function trustedDispatcher(trust: PeerTrust, options: TrustedConnectOptions = {}): Agent {
  const connect = buildConnector({
    ...tlsOptionsFor(trust),
    maxCachedSessions: 0,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  return new Agent({
    ...(options.keepAliveTimeoutMs ? { keepAliveTimeout: options.keepAliveTimeoutMs } : {}),
    connect(target, callback) {
      connect(target, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        if (target.protocol === 'https:') {
          const refusal = checkPinnedPeer(
            socket as TLSSocket,
            trust,
            `${target.hostname}:${target.port}`,
          );
          if (refusal) {
            socket.destroy();
            return callback(refusal, null);
          }
        }
        callback(null, socket);
      });
    },
  });
}
