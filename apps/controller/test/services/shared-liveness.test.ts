import type { Host } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createControllerCore } from '../../src/core.js';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { testEngine } from '../helpers/test-db.js';

/*
 * Two controllers on one PostgreSQL database (the harness's, and a second core on the same
 * database with its own memory): an agent heartbeats to one of them only. The other must not
 * call the host silent, and must see it come back. On SQLite there is one controller only.
 */

let h: Harness;
afterEach(async () => h?.close());

describe.runIf(testEngine() === 'postgres')('liveness shared between controllers', () => {
  async function twoControllers() {
    h = await createHarness({ manualClock: true });
    const { agent, credential } = await h.addAgent({ hostId: 'host_shared000001' });
    const other = await createControllerCore({
      config: h.core.ctx.config,
      database: h.database,
      clock: h.clock,
      log: h.core.ctx.log,
      fetch: h.network.fetch,
      processMetrics: false,
    });
    return { agent, credential, other };
  }

  it('does not call a host silent that heartbeats to another controller', async () => {
    const { agent, credential, other } = await twoControllers();
    for (let i = 0; i < 4; i++) {
      h.clock?.advance(1_500);
      await h.heartbeat(agent, credential, false);
      await h.core.exchangeLiveness();
      await other.exchangeLiveness();
      await other.sweep();
      await h.core.sweep();
      expect(other.ctx.liveness.state(agent.hostId)).toBe('ready');
    }
    const host = await json<Host>(await h.req('GET', `/v1/hosts/${agent.hostId}`));
    expect(host.liveness).toBe('ready');
    await other.stop();
  });

  it('brings back a host another controller hears from again', async () => {
    const { agent, credential, other } = await twoControllers();
    h.clock?.advance(3_000);
    await other.sweep();
    expect(other.ctx.liveness.state(agent.hostId)).toBe('suspect');
    await h.heartbeat(agent, credential, false);
    await h.core.exchangeLiveness();
    await other.exchangeLiveness();
    expect(other.ctx.liveness.state(agent.hostId)).toBe('ready');
    const host = await json<Host>(await h.req('GET', `/v1/hosts/${agent.hostId}`));
    expect(host.liveness).toBe('ready');
    await other.stop();
  });
});
