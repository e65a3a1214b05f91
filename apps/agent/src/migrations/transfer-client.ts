import { type AgentClient, ApiError, createAgentClient } from '@apiary/protocol';
import { type PeerTrust, trustedFetch } from '@apiary/server-kit';

/** Makes the fetch an export talks to its target with (server-kit's pinned trust by default). */
export type TransferFetch = (trust: PeerTrust) => { fetch: typeof fetch; close(): Promise<void> };

export interface TransferTarget {
  client: AgentClient;
  importId: string;
  close(): Promise<void>;
}

/**
 * The target agent's import, reached at its `upload_url` with the import's transfer token:
 * HTTPS with the target's certificate pinned when a fingerprint is given (system CAs
 * otherwise), through server-kit's trusted fetch, so a refused peer never sees the token.
 */
export function transferTarget(
  targetUrl: string,
  token: string,
  fingerprint: string | null,
  makeFetch: TransferFetch = trustedFetch,
): TransferTarget {
  const url = new URL(targetUrl);
  const m = /^(.*)\/api\/migrations\/imports\/(imp_[a-z0-9]+)$/.exec(url.pathname);
  if (!m) throw new ApiError('validation', 'target_url is not an import’s upload_url');
  const trust: PeerTrust = fingerprint ? { kind: 'fingerprint', fingerprint } : { kind: 'system' };
  const pinned = makeFetch(trust);
  const client = createAgentClient({
    baseUrl: `${url.origin}${m[1]}`,
    token,
    fetch: pinned.fetch,
    retries: 2,
  });
  return { client, importId: m[2]!, close: () => pinned.close() };
}
