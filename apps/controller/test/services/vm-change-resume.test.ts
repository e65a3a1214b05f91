import type { AgentVm, VmOperation } from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * A controller that died between sending a change to the agent and recording the agent's
 * operation id left its saga at `sending:<generation>`. Whoever adopts the saga must find the
 * change at the agent (running, or already done) and never send it a second time; only a
 * request that never arrived is sent.
 */
let h: Harness;
let agent: FakeAgent;
let zone: string;

beforeAll(async () => {
  h = await createHarness();
  ({ agent } = await h.addAgent({ hostId: 'host_resume0000001', hostname: 'h1', opDelayMs: 300 }));
  await uploadImage(h, 'img');
  await h.req('POST', '/v1/envs', {
    id: 'res',
    ssh_keys: [sshKey()],
    vms: [{ image: 'img', cpu: 1, mem: 512, disk: 2048 }],
  });
  await h.idle();
  zone = await h.zoneOf('res-0');
}, 60_000);
afterAll(async () => h?.close());

const snapshotPath = () => `/api/vms/${zone}/snapshots`;
const snapshotRequests = () =>
  agent.calls.filter((c) => c.method === 'POST' && c.path === snapshotPath()).length;

/** The saga a controller leaves when it dies right after sending (no lease: an orphan). */
async function orphanSaga(
  name: string,
  generationBefore: number,
  requestId?: string,
): Promise<string> {
  const { sagas, vms } = h.core.ctx.t;
  const [vm] = await h.core.ctx.db.select().from(vms).where(eq(vms.id, zone));
  if (!vm) throw new Error('no VM');
  const id = `saga_orphan${name}`;
  const now = Date.now();
  await h.core.ctx.db.insert(sagas).values({
    id,
    kind: 'snapshot',
    resource: `vm:${zone}`,
    state: 'running',
    step: 'agent',
    doneSteps: ['reserve'],
    input: {
      kind: 'snapshot',
      vmId: zone,
      vmName: 'res-0',
      envId: vm.envId,
      orgId: vm.orgId,
      hostId: vm.hostId,
      call: { params: { id: zone }, body: { name } },
      before: { cpu: vm.cpu, mem: vm.mem, disk: vm.disk },
    },
    leftovers: [],
    orgId: vm.orgId,
    vmId: zone,
    agentOp: `sending:${generationBefore}${requestId ? `:${requestId}` : ''}`,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

async function sendDirectly(name: string, requestId?: string) {
  const res = await agent.app.request(snapshotPath(), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${agent.key}`,
      'content-type': 'application/json',
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(202);
}

async function adoptAndFinish(id: string): Promise<VmOperation> {
  expect(await h.core.adoptSagas()).toBe(1);
  await h.idle();
  return json<VmOperation>(await h.req('GET', `/v1/operations/${id}`));
}

const generation = () => (agent.vms.get(zone) as AgentVm).generation;

describe('resuming a change whose request may have reached the agent', () => {
  it('follows the operation running at the agent instead of sending again', async () => {
    const before = generation();
    await sendDirectly('running-one');
    const id = await orphanSaga('a', before);
    const sent = snapshotRequests();
    const op = await adoptAndFinish(id);
    expect(op.state).toBe('succeeded');
    expect(snapshotRequests()).toBe(sent);
  });

  it('takes a change the agent already finished as done, without sending it again', async () => {
    const before = generation();
    await sendDirectly('done-one');
    await new Promise((r) => setTimeout(r, 500));
    expect(agent.vms.get(zone)?.operation_id).toBeNull();
    const id = await orphanSaga('b', before);
    const sent = snapshotRequests();
    const op = await adoptAndFinish(id);
    expect(op.state).toBe('succeeded');
    expect(snapshotRequests()).toBe(sent);
  });

  it('takes a change the agent ran and failed while no controller listened as failed', async () => {
    const before = generation();
    agent.failNext({ kind: 'snapshot', msg: 'cannot create snapshot: out of space' });
    await sendDirectly('failed-one', 'req_resumefailed000001');
    await new Promise((r) => setTimeout(r, 500));
    // The VM looks as if the change ran (its generation moved, nothing runs on it): only the
    // agent's record of what that request started says it failed.
    expect(generation()).toBeGreaterThan(before);
    expect(agent.vms.get(zone)?.operation_id).toBeNull();
    const id = await orphanSaga('d', before, 'req_resumefailed000001');
    const sent = snapshotRequests();
    const op = await adoptAndFinish(id);
    expect(op.state).toBe('failed');
    expect(op.error?.msg).toContain('out of space');
    expect(snapshotRequests()).toBe(sent);
  });

  it('sends once a request whose id the agent never saw', async () => {
    const id = await orphanSaga('e', generation() - 1, 'req_neverarrived0000001');
    const sent = snapshotRequests();
    const op = await adoptAndFinish(id);
    expect(op.state).toBe('succeeded');
    expect(snapshotRequests()).toBe(sent + 1);
  });

  it('sends a request that never reached the agent, once', async () => {
    const id = await orphanSaga('c', generation());
    const sent = snapshotRequests();
    const op = await adoptAndFinish(id);
    expect(op.state).toBe('succeeded');
    expect(snapshotRequests()).toBe(sent + 1);
  });
});
