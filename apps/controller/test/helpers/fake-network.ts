import type { FakeAgent } from './fake-agent.js';

/**
 * Routes fetches by host to fake agents, so the controller's agent clients reach them without
 * sockets. Unknown hosts and agents marked down answer like a refused connection.
 */
export class FakeNetwork {
  private agents = new Map<string, FakeAgent>();

  /** Addresses names resolve to (default: one ordinary public address, TEST-NET-1). */
  readonly dns = new Map<string, string[]>();

  add(addr: string, agent: FakeAgent) {
    this.agents.set(new URL(addr).host, agent);
  }

  readonly resolve = async (hostname: string): Promise<string[]> =>
    this.dns.get(hostname) ?? ['192.0.2.10'];

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const agent = this.agents.get(url.host);
    if (!agent || agent.down) {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    }
    if (agent.hang) {
      await new Promise((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    return agent.app.request(url.pathname + url.search, init);
  };
}
