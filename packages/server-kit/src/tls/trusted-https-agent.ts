import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import {
  type CertificateMismatchError,
  checkPinnedPeer,
  type PeerTrust,
  tlsOptionsFor,
} from './peer-trust.js';

/**
 * A node:https Agent that trusts exactly `trust`: for clients built on node:https, such as `ws`
 * (the console websockets between controller and agent). Its connections are handed to the
 * request only once the peer passed the pin check, so the upgrade request and its
 * Authorization header are never written to a peer that failed it.
 */
export function trustedHttpsAgent(
  trust: PeerTrust,
  hooks: { onRefused?: (mismatch: CertificateMismatchError) => void } = {},
): HttpsAgent {
  return new PinnedHttpsAgent(trust, hooks, { keepAlive: false, maxCachedSessions: 0 });
}

class PinnedHttpsAgent extends HttpsAgent {
  constructor(
    private readonly trust: PeerTrust,
    private readonly hooks: { onRefused?: (mismatch: CertificateMismatchError) => void },
    options: AgentOptions,
  ) {
    super(options);
  }

  // node:http's Agent accepts a socket given to the callback later (and nothing returned).
  override createConnection(
    options: { host?: string; port?: number; servername?: string },
    callback: (error: Error | null, socket?: Duplex) => void,
  ): undefined {
    const peer = `${options.host}:${options.port}`;
    const socket: TLSSocket = connect({ ...options, ...tlsOptionsFor(this.trust) });
    const onError = (error: Error) => callback(error);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const refusal = checkPinnedPeer(socket, this.trust, peer);
      if (refusal) {
        socket.destroy();
        this.hooks.onRefused?.(refusal);
        callback(refusal);
      } else {
        callback(null, socket);
      }
    });
    return undefined;
  }
}
