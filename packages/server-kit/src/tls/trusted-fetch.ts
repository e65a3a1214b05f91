import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { checkPinnedPeer, type PeerTrust, tlsOptionsFor } from './peer-trust.js';

/**
 * A `fetch` that trusts exactly `trust` for HTTPS (plain HTTP URLs work as usual), with its own
 * connection pool. A pinned peer is checked when the handshake completes and before undici
 * writes the request, so a refused peer never sees a header (no credential leaves the
 * process). TLS sessions are not resumed: every connection shows its certificate afresh.
 */
export function trustedFetch(trust: PeerTrust): { fetch: typeof fetch; close(): Promise<void> } {
  const dispatcher = trustedDispatcher(trust);
  const fetchWith = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(
      input as never,
      { ...(init as object), dispatcher } as never,
    )) as unknown as typeof fetch;
  return { fetch: fetchWith, close: () => dispatcher.close() };
}

/** The undici dispatcher behind `trustedFetch`. */
export function trustedDispatcher(trust: PeerTrust): Agent {
  const connect = buildConnector({ ...tlsOptionsFor(trust), maxCachedSessions: 0 });
  return new Agent({
    connect(options, callback) {
      connect(options, (error, socket) => {
        if (error || !socket) return callback(error ?? new Error('no socket'), null);
        if (options.protocol === 'https:') {
          const refusal = checkPinnedPeer(
            socket as TLSSocket,
            trust,
            `${options.hostname}:${options.port}`,
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
