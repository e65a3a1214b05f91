import type { Vm, VmOperation } from '@apiary/protocol';
import { promtoolCheck } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

/*
 * The VM change routes in-process (issue 13), against a fake agent: bad input is a 400 that
 * changes nothing, a VM in a transitional state is a 409 naming it, and operations are read
 * back by id and per VM.
 */
let h: Harness;
let fake: FakeAgent;
const agentOf = () => ({ agent: fake });

beforeAll(async () => {
  h = await createHarness();
  ({ agent: fake } = await h.addAgent({ hostId: 'host_vmchanges0001', hostname: 'h1' }));
  await uploadImage(h, 'img');
  const res = await h.req('POST', '/v1/envs', {
    id: 'edit',
    ssh_keys: [sshKey()],
    vms: [{ image: 'img', cpu: 1, mem: 512, disk: 2048 }],
  });
  expect(res.status).toBe(202);
  await h.idle();
}, 60_000);
afterAll(async () => h?.close());

const vm = async () => json<Vm>(await h.req('GET', '/v1/vms/edit-0'));
const ops = async () =>
  json<{ items: VmOperation[]; total: number }>(await h.req('GET', '/v1/vms/edit-0/operations'));

describe('VM change routes', () => {
  it('answers 400 to bad input and changes nothing', async () => {
    const before = await vm();
    const bad: Array<[string, string, unknown]> = [
      ['PATCH', '/v1/vms/edit-0', {}],
      ['PATCH', '/v1/vms/edit-0', { cpu: 0 }],
      ['PATCH', '/v1/vms/edit-0', { mem: 'lots' }],
      ['PATCH', '/v1/vms/edit-0?restart=maybe', { cpu: 2 }],
      ['PATCH', '/v1/vms/edit-0', { disk: 1024 }],
      ['POST', '/v1/vms/edit-0/disks', { size: 0 }],
      ['DELETE', '/v1/vms/edit-0/disks/16', undefined],
      ['DELETE', '/v1/vms/edit-0/disks/-1', undefined],
      ['PUT', '/v1/vms/edit-0/cdrom', { image: '../etc/passwd' }],
      ['PUT', '/v1/vms/edit-0/cdrom', { image: 'img' }],
      ['POST', '/v1/vms/edit-0/snapshots', { name: '-rf' }],
      ['POST', '/v1/vms/edit-0/snapshots', { name: 'a@b' }],
      ['POST', '/v1/vms/edit-0/snapshots/ok/rollback?force=yes', undefined],
      ['POST', '/v1/vms/edit-0/snapshots/ok/image', { name: 'Not An Image' }],
      ['POST', '/v1/vms/edit-0/snapshots/ok/clone', { env: 'NO SUCH' }],
    ];
    for (const [method, path, body] of bad) {
      const res = await h.req(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
    }
    const shrink = await json<{ msg: string }>(
      await h.req('PATCH', '/v1/vms/edit-0', { disk: 1024 }),
    );
    expect(shrink.msg).toBe('the boot disk only grows: 1024 MiB is less than its 2048 MiB');
    expect(await vm()).toEqual(before);
    expect((await ops()).total).toBe(0);
  });

  it('answers 409 naming the state of a VM that is not running or stopped', async () => {
    const { vms } = h.core.ctx.t;
    const { eq } = await import('drizzle-orm');
    await h.core.ctx.db.update(vms).set({ state: 'starting' }).where(eq(vms.name, 'edit-0'));
    try {
      const res = await h.req('POST', '/v1/vms/edit-0/snapshots', { name: 'x' });
      expect(res.status).toBe(409);
      expect((await json<{ msg: string }>(res)).msg).toContain('is starting');
      expect((await ops()).total).toBe(0);
    } finally {
      await h.core.ctx.db.update(vms).set({ state: 'running' }).where(eq(vms.name, 'edit-0'));
    }
  });

  it('runs a change as an operation that is read back by id and per VM', async () => {
    const res = await h.req('POST', '/v1/vms/edit-0/snapshots', { name: 'first' });
    expect(res.status).toBe(202);
    const accepted = await json<{ vm: Vm; operation: VmOperation }>(res);
    expect(accepted.vm.id).toBe('edit-0');
    expect(accepted.operation).toMatchObject({ vm_id: 'edit-0', kind: 'snapshot' });
    expect(accepted.operation.id).toMatch(/^saga_/);
    await h.idle();
    const op = await json<VmOperation>(
      await h.req('GET', `/v1/operations/${accepted.operation.id}`),
    );
    expect(op).toMatchObject({ state: 'succeeded', error: null, step: null });
    expect(op.id).toBe(accepted.operation.id);
    const { items } = await ops();
    expect(items.map((o) => o.id)).toEqual([accepted.operation.id]);
    const api = await h.req('GET', `/api/operations/${accepted.operation.id}`);
    expect(api.status).toBe(200);
    // Timed at /metrics, in an exposition promtool accepts.
    const metrics = await (await h.req('GET', '/metrics')).text();
    expect(metrics).toContain(
      'apiary_vm_change_duration_seconds_count{kind="snapshot",outcome="succeeded"} 1',
    );
    expect(promtoolCheck(metrics)).toBe('');
  });

  it('gives the VM and reservation of a failed clone back, and records a clone that worked', async () => {
    const { agent } = agentOf();
    const hostId = (await vm()).host_id as string;
    const reserved = async () =>
      (await json<{ capacity: { reserved: unknown } }>(await h.req('GET', `/v1/hosts/${hostId}`)))
        .capacity.reserved;
    const before = await reserved();
    agent.failNext({ kind: 'create', msg: 'zfs clone failed (injected)' });
    const failed = await json<{ vm: Vm; operation: VmOperation }>(
      await h.req('POST', '/v1/vms/edit-0/snapshots/first/clone', {}),
    );
    expect(failed.vm).toMatchObject({ id: 'edit-1', state: 'creating' });
    await h.idle();
    const op = await json<VmOperation>(await h.req('GET', `/v1/operations/${failed.operation.id}`));
    expect(op).toMatchObject({ state: 'failed', result: null });
    expect(op.error?.msg).toContain('zfs clone failed (injected)');
    expect((await json<Vm>(await h.req('GET', '/v1/vms/edit-1'))).state).toBe('deleted');
    expect(await reserved()).toEqual(before);

    const res = await h.req('POST', '/v1/vms/edit-0/snapshots/first/clone', {});
    expect(res.status).toBe(202);
    const cloned = await json<{ vm: Vm; operation: VmOperation }>(res);
    expect(cloned.vm.id).toBe('edit-2');
    await h.idle();
    const done = await json<VmOperation>(
      await h.req('GET', `/v1/operations/${cloned.operation.id}`),
    );
    expect(done).toMatchObject({ state: 'succeeded', result: { vm_id: 'edit-2' } });
    expect((await json<Vm>(await h.req('GET', '/v1/vms/edit-2'))).state).toBe('running');
    const b = before as { cpu: number; mem: number; disk: number };
    expect(await reserved()).toEqual({ cpu: b.cpu + 1, mem: b.mem + 512, disk: b.disk + 2048 });
  });
});
