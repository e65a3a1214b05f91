import type { Env } from '@apiary/protocol';
import { createMemoryLogger } from '@apiary/server-kit';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { holdEnv } from '../../src/services/envs/env-lock.js';
import { transitionEnv } from '../../src/services/envs/env-state.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * Two controllers on one database. An environment's saga belongs to whoever holds its lease
 * (`env:<id>`); another controller adopts it only once that lease has expired (its holder died
 * or stalled), resumes it from the states recorded so far, and the old holder can no longer
 * settle the environment.
 */

let h: Harness;
let others: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  // Every extra controller stops before the harness closes the database they share.
  for (const o of others) await o.stop();
  others = [];
  await h?.close();
});

async function secondController(h: Harness) {
  const { log, lines } = createMemoryLogger('debug');
  const core = await h.anotherController({
    config: { ...h.core.ctx.config, sagaLeaseTtlMs: 2_000 },
    log,
  });
  others.push(core);
  return { core, lines };
}

/** What the database says of an environment's lease (as if its holder had stopped renewing). */
async function expireLease(h: Harness, envId: string) {
  const { leases } = h.core.ctx.t;
  await h.core.ctx.db
    .update(leases)
    .set({ expiresAt: 0 })
    .where(eq(leases.name, `env:${envId}`));
}

async function envRow(h: Harness, name: string) {
  const { envs } = h.core.ctx.t;
  const [row] = await h.core.ctx.db.select().from(envs).where(eq(envs.name, name));
  if (!row) throw new Error(`no environment ${name}`);
  return row;
}

const body = {
  id: 'adopted',
  ssh_keys: [sshKey()],
  vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
  lifetime: 3600,
};

describe('environment sagas across controllers', () => {
  it('adopts a create only after its holder stopped renewing, and finishes it without a second VM', async () => {
    // The first controller renews rarely: between renewals it is as good as dead.
    h = await createHarness({ config: { sagaLeaseTtlMs: 60_000 } });
    const { agent } = await h.addAgent({ hostId: 'host_adopt000000001' });
    await uploadImage(h, 'alpine-cloud');
    agent.opDelayMs = 800;
    const b = await secondController(h);
    const creates = () =>
      agent.calls.filter((c) => c.method === 'POST' && c.path === '/api/vms').length;

    expect((await h.req('POST', '/v1/envs', body)).status).toBe(202);
    await expect.poll(creates).toBe(1);
    const env = await envRow(h, 'adopted');

    // While the first controller holds the lease, the other's reaper leaves the saga alone.
    await b.core.reap();
    await b.core.ctx.work.idle();
    expect(creates()).toBe(1);
    expect(b.core.ctx.work.size).toBe(0);

    // The holder's lease runs out (it died): the other controller adopts and finishes.
    await expireLease(h, env.id);
    await b.core.reap();
    await b.core.ctx.work.idle();
    expect((await envRow(h, 'adopted')).state).toBe('active');
    // The create was sent again (idempotent by VM id) and made nothing twice.
    expect(creates()).toBe(2);
    expect(agent.liveVms()).toHaveLength(1);
    expect(b.lines.join('\n')).toMatch(/environment active/);

    // The first controller's own saga ends without settling anything: its lease is gone.
    await h.idle();
    const after = await json<Env>(await h.req('GET', '/v1/envs/adopted'));
    expect(after.state).toBe('active');
    expect(after.vms.map((v) => v.state)).toEqual(['running']);
    expect(agent.liveVms()).toHaveLength(1);
  });

  it('lets a controller that lost the lease neither settle the environment nor take it back', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_adopt000000002' });
    await uploadImage(h, 'alpine-cloud');
    agent.opDelayMs = 300;
    const b = await secondController(h);
    expect((await h.req('POST', '/v1/envs', body)).status).toBe(202);
    await h.idle();
    const env = await envRow(h, 'adopted');
    expect(env.state).toBe('active');

    const first = await holdEnv(h.core.ctx, env.id);
    if (!first) throw new Error('the first controller could not take the lease');
    // A second hold is refused while the first is valid, on either controller.
    expect(await holdEnv(b.core.ctx, env.id)).toBeNull();
    expect(await holdEnv(h.core.ctx, env.id)).toBeNull();

    // The first stalls past its lease; the second takes it, and gives it back when done.
    await expireLease(h, env.id);
    const second = await holdEnv(b.core.ctx, env.id);
    if (!second) throw new Error('the second controller could not adopt the lease');
    expect(
      await transitionEnv(h.core.ctx, env.id, ['active'], 'stopping', null, first.fence()),
    ).toBe(false);
    expect((await envRow(h, 'adopted')).state).toBe('active');
    await second.release();

    // Waking up, the first does not get the lease back by renewing: its saga must stop.
    expect(await first.renew()).toBe(false);
    expect(first.signal.aborted).toBe(true);
    expect(
      await transitionEnv(h.core.ctx, env.id, ['active'], 'stopping', null, first.fence()),
    ).toBe(false);
    await first.release();
    expect((await envRow(h, 'adopted')).state).toBe('active');
  });
});
