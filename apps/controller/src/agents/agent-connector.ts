import type { Agent as HttpsAgent } from 'node:https';
import { type AgentClient, createAgentClient } from '@apiary/protocol';
import {
  type CertificateMismatchError,
  certificateMismatchIn,
  currentRequestId,
  type PeerTrust,
  probeCertificate,
  trustedHttpsAgent,
} from '@apiary/server-kit';
import type { SecretBox } from '../lib/cipher.js';
import { checkAgentTarget, type TargetPolicy } from './agent-target.js';
import { type AgentTrustPool, certificateChangedError } from './agent-trust.js';
import { pinnedLookup } from './pinned-lookup.js';

export interface AgentTarget {
  id: string;
  addr: string;
  agentKeyEnc: string | null;
  /** The pinned certificate of an `https://` agent. */
  tlsFingerprint: string | null;
  /** Set when the agent presented another certificate: nothing is sent until it is accepted. */
  tlsPresentedFingerprint: string | null;
}

/**
 * Builds typed clients for agents. The agent's `wh_` key is decrypted only to put it in the
 * Authorization header; the request id of the work being done (from the log scope it runs in)
 * is forwarded on every call. An `https://` agent is held to its pinned certificate: another
 * one is refused before a byte is sent, and reported (`onCertificateChanged`) so the host is
 * marked until an operator accepts the new certificate.
 */
export interface AgentConnector {
  forHost(host: AgentTarget): AgentClient;
  /**
   * A client for an address someone asked the controller to reach (connection test, add by
   * address, bootstrap): the address is checked against the target policy first (ApiError
   * `forbidden`, or `UnresolvedTarget`), and the client connects only to the checked addresses.
   * `trust` says which certificate an `https://` agent must show.
   */
  forAddr(
    baseUrl: string,
    key: string | undefined,
    opts?: { timeoutMs?: number; trust?: PeerTrust },
  ): Promise<AgentClient>;
  /**
   * The certificate an `https://` address presents (a handshake, nothing sent), after the same
   * target check as `forAddr` and to the address it checked.
   */
  probeCertificate(baseUrl: string, timeoutMs: number): Promise<{ fingerprint: string }>;
  /**
   * A websocket on the agent (`ws(s)://addr/path`), the headers that authenticate it and, for
   * `wss:`, the https Agent that holds the connection to the pinned certificate.
   */
  socketTarget(
    host: AgentTarget,
    path: string,
  ): { url: string; headers: Record<string, string>; agent?: HttpsAgent };
}

export function createAgentConnector(deps: {
  box: SecretBox;
  timeoutMs: number;
  trust: AgentTrustPool;
  targets: TargetPolicy;
  /** Tests pass an in-process fake agent here (no TLS, no target pinning then). */
  fetch?: typeof fetch;
  onCertificateChanged?: (hostId: string, mismatch: CertificateMismatchError) => void;
}): AgentConnector {
  const make = (
    baseUrl: string,
    token: string | undefined,
    fetchImpl: typeof fetch,
    timeoutMs?: number,
    retries = 2,
  ) =>
    createAgentClient({
      baseUrl,
      token,
      requestId: currentRequestId,
      timeoutMs: timeoutMs ?? deps.timeoutMs,
      retries,
      retryDelayMs: 100,
      fetch: fetchImpl,
    });
  const fetchFor = (trust: PeerTrust) => deps.fetch ?? deps.trust.fetchFor(trust);
  return {
    forHost(host) {
      const key = host.agentKeyEnc ? deps.box.open(host.agentKeyEnc) : undefined;
      const refused = certificateChangedError(host);
      const base = fetchFor(trustFor(host));
      const guarded: typeof fetch = async (input, init) => {
        // A changed certificate stays refused, without dialing, until an operator accepts it.
        if (refused) throw refused;
        try {
          return await base(input, init);
        } catch (error) {
          const mismatch = certificateMismatchIn(error);
          if (!mismatch) throw error;
          deps.onCertificateChanged?.(host.id, mismatch);
          throw (
            certificateChangedError({
              ...host,
              tlsPresentedFingerprint: mismatch.presented ?? 'no certificate',
            }) ?? error
          );
        }
      };
      return make(host.addr, key, guarded);
    },
    async forAddr(baseUrl, key, opts = {}) {
      const addresses = await checkAgentTarget(baseUrl, deps.targets);
      // A connection test reports what happened; retrying would only blur the answer.
      const fetchImpl =
        deps.fetch ??
        deps.trust.fetchOnce(opts.trust ?? { kind: 'system' }, pinnedLookup(addresses));
      return make(baseUrl, key, fetchImpl, opts.timeoutMs, 0);
    },
    async probeCertificate(baseUrl, timeoutMs) {
      const [address] = await checkAgentTarget(baseUrl, deps.targets);
      const url = new URL(baseUrl);
      const name = url.hostname.replace(/^\[|\]$/g, '');
      return probeCertificate(address ?? name, Number(url.port || 443), timeoutMs, name);
    },
    socketTarget(host, path) {
      const refused = certificateChangedError(host);
      if (refused) throw refused;
      const url = new URL(host.addr);
      const secure = url.protocol === 'https:';
      url.protocol = secure ? 'wss:' : 'ws:';
      url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
      url.search = '';
      const headers: Record<string, string> = {};
      if (host.agentKeyEnc) headers.authorization = `Bearer ${deps.box.open(host.agentKeyEnc)}`;
      if (!secure) return { url: url.href, headers };
      const agent = trustedHttpsAgent(trustFor(host), {
        onRefused: (mismatch) => deps.onCertificateChanged?.(host.id, mismatch),
      });
      return { url: url.href, headers, agent };
    },
  };
}

/** A pinned agent is held to its fingerprint; one that reported none, to the system's CAs. */
function trustFor(host: AgentTarget): PeerTrust {
  return host.tlsFingerprint
    ? { kind: 'fingerprint', fingerprint: host.tlsFingerprint }
    : { kind: 'system' };
}
