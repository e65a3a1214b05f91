import type { LookupFunction } from 'node:net';
import { ApiError } from '@apiary/protocol';
import { type PeerTrust, trustedFetch } from '@apiary/server-kit';

/**
 * One connection pool per trust (per pinned fingerprint, plus the system's CAs), so calls to
 * the same agent reuse their TLS connections while each stays held to its own certificate.
 */
export interface AgentTrustPool {
  fetchFor(trust: PeerTrust): typeof fetch;
  /**
   * A fetch of its own for one-off calls to an address someone asked for (connection test, add
   * by address), connecting only where `lookup` says; its idle connections close on their own.
   */
  fetchOnce(trust: PeerTrust, lookup: LookupFunction): typeof fetch;
  close(): Promise<void>;
}

export function createAgentTrustPool(): AgentTrustPool {
  const pools = new Map<string, ReturnType<typeof trustedFetch>>();
  return {
    fetchFor(trust) {
      const key = trust.kind === 'fingerprint' ? trust.fingerprint : trust.kind;
      let pool = pools.get(key);
      if (!pool) {
        pool = trustedFetch(trust);
        pools.set(key, pool);
      }
      return pool.fetch;
    },
    fetchOnce(trust, lookup) {
      return trustedFetch(trust, { lookup, keepAliveTimeoutMs: 1_000 }).fetch;
    },
    async close() {
      await Promise.all([...pools.values()].map((p) => p.close()));
      pools.clear();
    },
  };
}

/** The refusal for a host whose agent presented another certificate than the pinned one. */
export function certificateChangedError(host: {
  id: string;
  tlsFingerprint: string | null;
  tlsPresentedFingerprint: string | null;
}): ApiError | null {
  if (!host.tlsPresentedFingerprint) return null;
  return new ApiError(
    'precondition_failed',
    `the certificate of host ${host.id} changed: it presents ${host.tlsPresentedFingerprint}, ` +
      `not the pinned ${host.tlsFingerprint}. Nothing is sent to it until an operator checks ` +
      `the new fingerprint (apiary-agent info on the host) and accepts it: ` +
      `apiary hosts accept-certificate ${host.id}`,
    { retryable: false, forClient: true },
  );
}
