import { addFault, readState } from '@apiary/illumos-sim';
import type { ApiError } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildInventory } from '../../src/controller/inventory.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/* Networks VMs join: nat built in, bridged over a link (with a VLAN), private on an etherstub. */

async function refusal(p: Promise<unknown>) {
  const e = (await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (x: unknown) => x,
  )) as ApiError;
  return { status: e.status, msg: e.message };
}

const links = (t: SimAgent) =>
  readState(t.simRoot)
    .links.map((l) => l.name)
    .sort();

describe('networks', () => {
  let t: SimAgent;
  beforeAll(async () => {
    t = await simAgent({ init: { links: ['e1000g0', 'e1000g1'] } });
  });

  it('always has the built-in nat network', async () => {
    const { items } = await t.api.listNetworks();
    expect(items).toEqual([
      expect.objectContaining({
        name: 'nat',
        kind: 'nat',
        link: 'apiarystub0',
        subnet: '10.213.0.0/16',
        gateway: '10.213.0.1',
      }),
    ]);
    expect((await refusal(t.api.deleteNetwork({ params: { name: 'nat' } }))).status).toBe(403);
  });

  it('creates a bridged network with a VLAN and a static range, touching no link', async () => {
    const before = links(t);
    const lan = await t.api.createNetwork({
      body: {
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 12,
        subnet: '192.168.12.0/24',
        gateway: '192.168.12.1',
        dns: ['192.168.12.1'],
        range: '192.168.12.100-192.168.12.200',
      },
    });
    expect(lan).toMatchObject({ addressing: 'static', vlan: 12, link: 'e1000g1', vm_count: 0 });
    expect(links(t)).toEqual(before);
    const dhcp = await t.api.createNetwork({
      body: { name: 'office', kind: 'bridged', link: 'e1000g0' },
    });
    expect(dhcp).toMatchObject({ addressing: 'dhcp', subnet: null });
  });

  it('refuses bridged networks over a missing, virtual or already bridged link', async () => {
    const missing = await refusal(
      t.api.createNetwork({ body: { name: 'x', kind: 'bridged', link: 'nosuch0' } }),
    );
    expect(missing.status).toBe(404);
    const stub = await refusal(
      t.api.createNetwork({ body: { name: 'x', kind: 'bridged', link: 'apiarystub0' } }),
    );
    expect(stub.status).toBe(400);
    const twin = await refusal(
      t.api.createNetwork({ body: { name: 'x', kind: 'bridged', link: 'e1000g1', vlan: 12 } }),
    );
    expect(twin).toMatchObject({ status: 409, msg: 'network lan already bridges e1000g1 VLAN 12' });
    const range = await refusal(
      t.api.createNetwork({
        body: {
          name: 'x',
          kind: 'bridged',
          link: 'e1000g1',
          subnet: '10.0.0.0/24',
          range: '10.0.1.1-10.0.1.9',
        },
      }),
    );
    expect(range.status).toBe(400);
  });

  it('creates a private network on an etherstub of its own and deletes it again', async () => {
    const lab = await t.api.createNetwork({
      body: { name: 'lab', kind: 'private', subnet: '172.16.5.0/24' },
    });
    expect(lab).toMatchObject({ kind: 'private', link: 'apiaryns10', addressing: 'static' });
    expect(readState(t.simRoot).links.find((l) => l.name === 'apiaryns10')?.class).toBe(
      'etherstub',
    );
    await t.api.deleteNetwork({ params: { name: 'lab' } });
    expect(links(t)).not.toContain('apiaryns10');
  });

  it('reports its networks in the inventory', () => {
    const inv = buildInventory(t.agent.db, t.agent.deps.layout, t.agent.deps.resources);
    expect(inv.networks).toEqual([
      { name: 'nat', kind: 'nat' },
      { name: 'lan', kind: 'bridged' },
      { name: 'office', kind: 'bridged' },
    ]);
  });

  it('leaves no etherstub and no network behind when creating the etherstub fails', async () => {
    const before = links(t);
    for (const when of ['before', 'after'] as const) {
      await addFault(t.simRoot, {
        match: 'dladm create-etherstub *',
        count: 1,
        exit_code: 1,
        stderr: 'dladm: simulated failure\n',
        when,
      });
      const e = await refusal(
        t.api.createNetwork({ body: { name: 'lab2', kind: 'private', subnet: '172.16.6.0/24' } }),
      );
      expect(e.status, when).toBeGreaterThanOrEqual(500);
      expect(links(t), when).toEqual(before);
      expect(
        links(t).filter((l) => l.startsWith('apiaryns')),
        when,
      ).toEqual([]);
      expect(
        (await t.api.listNetworks()).items.map((n) => n.name),
        when,
      ).not.toContain('lab2');
    }
  });
});
