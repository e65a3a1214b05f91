import { type AgentClient, createAgentClient } from '@apiary/protocol';
import { currentRequestId } from '@apiary/server-kit';
import type { SecretBox } from '../lib/cipher.js';
import { checkAgentTarget, type TargetPolicy } from './agent-target.js';
import { pinnedFetch } from './pinned-fetch.js';

export interface AgentTarget {
  id: string;
  addr: string;
  agentKeyEnc: string | null;
}

/**
 * Builds typed clients for agents. The agent's `wh_` key is decrypted only to put it in the
 * Authorization header; the request id of the work being done (from the log scope it runs in)
 * is forwarded on every call.
 */
export interface AgentConnector {
  forHost(host: AgentTarget): AgentClient;
  /**
   * A client for an address someone asked the controller to reach (connection test, add by
   * address, bootstrap): the address is checked against the target policy first (ApiError
   * `forbidden`, or `UnresolvedTarget`), and the client connects only to the checked addresses.
   */
  forAddr(
    baseUrl: string,
    key: string | undefined,
    opts?: { timeoutMs?: number },
  ): Promise<AgentClient>;
  /** A websocket on the agent (`ws(s)://addr/path`) and the headers that authenticate it. */
  socketTarget(host: AgentTarget, path: string): { url: string; headers: Record<string, string> };
}

export function createAgentConnector(deps: {
  box: SecretBox;
  timeoutMs: number;
  /** Tests pass an in-process fake agent here (it replaces the pinned connection too). */
  fetch?: typeof fetch;
  targets: TargetPolicy;
}): AgentConnector {
  const make = (
    baseUrl: string,
    token: string | undefined,
    timeoutMs?: number,
    retries = 2,
    fetchImpl = deps.fetch,
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
  return {
    forHost(host) {
      const key = host.agentKeyEnc ? deps.box.open(host.agentKeyEnc) : undefined;
      return make(host.addr, key);
    },
    async forAddr(baseUrl, key, opts = {}) {
      const addresses = await checkAgentTarget(baseUrl, deps.targets);
      // A connection test reports what happened; retrying would only blur the answer.
      return make(baseUrl, key, opts.timeoutMs, 0, deps.fetch ?? pinnedFetch(addresses));
    },
    socketTarget(host, path) {
      const url = new URL(host.addr);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
      url.search = '';
      const headers: Record<string, string> = {};
      if (host.agentKeyEnc) headers.authorization = `Bearer ${deps.box.open(host.agentKeyEnc)}`;
      return { url: url.href, headers };
    },
  };
}
