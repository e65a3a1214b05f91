import { createAgentClient } from '@apiary/protocol';
import type { AgentOptions } from '../../src/agent.js';
import { buildZfsImage } from './images.js';
import { serveAgent } from './serve.js';
import { type SimAgent, simAgent } from './sim-agent.js';

export const image = buildZfsImage({ content: 'golden disk\n' });

/** An agent on its own simulated host, served on a real port, with the box image. */
export async function servedAgent(agent: AgentOptions = {}) {
  const t = await simAgent({ agent: { createAttempts: 1, ...agent } });
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  const address = await serveAgent(t.agent);
  return { ...t, address, remote: clientAt(address, t.key) };
}

export type ServedAgent = SimAgent & Awaited<ReturnType<typeof servedAgent>>;

/** The agent's API over the network, as the controller reaches it. */
export function clientAt(address: string, key: string) {
  return createAgentClient({ baseUrl: `http://${address}`, token: key, retries: 0 });
}

/** The operation of an accepted request, once every operation of the agent has finished. */
export async function finished(t: SimAgent, accepted: Promise<{ operation: { id: string } }>) {
  const { operation } = await accepted;
  await t.settle();
  return t.api.getOperation({ params: { id: operation.id } });
}
