import { readState } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';

const image = buildZfsImage();

async function withImage(init: Parameters<typeof simAgent>[0]) {
  const t = await simAgent(init);
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  return t;
}

describe('parallel creates', () => {
  it('creates ten VMs in parallel, each with its own address, VNIC and ports', async () => {
    const t = await withImage({ init: { cpus: 32, ram: '64G' } });
    const ids = Array.from({ length: 10 }, (_, i) => `par-${i}`);
    const accepted = await Promise.all(
      ids.map((id) =>
        t.api.createVm({
          body: { id, env_id: 'par', image: 'box', cpu: 2, mem: 2048, disk: 2048, ports: [80] },
        }),
      ),
    );
    expect(accepted.every((a) => a.vm.state === 'creating')).toBe(true);
    await t.settle();
    const { items } = await t.api.listVms({ query: { limit: 100 } });
    expect(items.map((v) => v.state)).toEqual(Array(10).fill('running'));
    expect(new Set(items.map((v) => v.ip)).size).toBe(10);
    const hostPorts = items.flatMap((v) => Object.values(v.port_map));
    expect(new Set(hostPorts).size).toBe(20);
    const host = readState(t.simRoot);
    expect(host.zones.filter((z) => z.state === 'running')).toHaveLength(10);
    expect(host.ipfilter.global.nat.filter((r) => r.startsWith('rdr'))).toHaveLength(20);
    expect((await t.api.info()).resources.used).toEqual({ cpu: 20, mem: 20480, disk: 20480 });
  }, 180_000);

  it('never exceeds capacity: of ten parallel creates only those that fit are accepted', async () => {
    // 8 CPUs: four 2-CPU VMs fit, the other six are refused with 409 and run no host command.
    const t = await withImage({ init: { cpus: 8, ram: '64G' } });
    const before = t.commands().length;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        t.api.createVm({
          body: { id: `cap-${i}`, env_id: 'cap', image: 'box', cpu: 2, mem: 1024, disk: 2048 },
        }),
      ),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(accepted).toHaveLength(4);
    expect(refused).toHaveLength(6);
    for (const r of refused) {
      expect(r.reason.status).toBe(409);
      expect(r.reason.code).toBe('insufficient_capacity');
      expect(r.reason.message).toMatch(/cpu/);
    }
    await t.settle();
    const info = await t.api.info();
    expect(info.resources.used.cpu).toBe(8);
    expect(info.resources.used.cpu).toBeLessThanOrEqual(info.resources.total.cpu);
    expect(readState(t.simRoot).zones).toHaveLength(4);
    // Every command run belongs to one of the accepted VMs.
    const names = new Set(
      accepted.map((a) => (a as PromiseFulfilledResult<{ vm: { id: string } }>).value.vm.id),
    );
    for (const c of t.commands().slice(before)) {
      const zone = c.argv[0] === 'zoneadm' || c.argv[0] === 'zonecfg' ? c.argv[2] : null;
      if (zone) expect(names.has(zone)).toBe(true);
    }
  }, 180_000);

  it('releases capacity on delete so a new VM fits again', async () => {
    const t = await withImage({ init: { cpus: 2, ram: '8G' } });
    await t.api.createVm({
      body: { id: 'one-0', env_id: 'one', image: 'box', cpu: 2, mem: 1024, disk: 2048 },
    });
    await t.settle();
    const refused = await t.api
      .createVm({
        body: { id: 'two-0', env_id: 'two', image: 'box', cpu: 2, mem: 1024, disk: 2048 },
      })
      .catch((e) => e);
    expect(refused.status).toBe(409);
    await t.api.deleteVm({ params: { id: 'one-0' } });
    await t.settle();
    await t.api.createVm({
      body: { id: 'two-0', env_id: 'two', image: 'box', cpu: 2, mem: 1024, disk: 2048 },
    });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'two-0' } })).state).toBe('running');
  }, 120_000);

  it('refuses with 409 when no host port is left, instead of silently skipping forwards', async () => {
    const t = await withImage({
      init: { cpus: 32, ram: '64G' },
      flags: ['--port-range', '40000-40002'],
    });
    await t.api.createVm({ body: { id: 'p-0', env_id: 'p', image: 'box', ports: [80] } });
    const error = await t.api
      .createVm({ body: { id: 'p-1', env_id: 'p', image: 'box', ports: [80] } })
      .catch((e) => e);
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/no free host port/);
    await t.settle();
    await t.api.deleteVm({ params: { id: 'p-0' } });
    await t.settle();
    await t.api.createVm({ body: { id: 'p-1', env_id: 'p', image: 'box', ports: [80] } });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'p-1' } })).port_map).toEqual({
      '22': 40000,
      '80': 40001,
    });
  }, 120_000);
});
