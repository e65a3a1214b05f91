import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '@apiary/illumos-sim';
import type { ApiError } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZfsImage } from '../helpers/images.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * VMs on several networks: one VNIC per network (over the link with its VLAN tag, the nat
 * etherstub, a private etherstub), static addresses without collision, the zone's nets as the
 * bhyve brand turns them into cloud-init network-config, port forwards only on a nat primary.
 */

const image = buildZfsImage();

async function refusal(p: Promise<unknown>) {
  const e = (await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (x: unknown) => x,
  )) as ApiError;
  return { status: e.status, msg: e.message };
}

const vm = (id: string, networks?: string[], ports: number[] = []) => ({
  id,
  env_id: 'nets',
  image: 'box',
  ssh_keys: [],
  ports,
  ...(networks ? { networks } : {}),
});

describe('VMs on networks', () => {
  let t: SimAgent;
  beforeAll(async () => {
    t = await simAgent({ init: { links: ['e1000g0', 'e1000g1'] } });
    await t.api.uploadImage({
      query: { name: 'box' },
      body: image.stream,
      contentLength: image.stream.length,
    });
    await t.api.createNetwork({
      body: {
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 12,
        subnet: '192.168.12.0/24',
        gateway: '192.168.12.1',
        dns: ['192.168.12.1', '9.9.9.9'],
        range: '192.168.12.100-192.168.12.101',
      },
    });
    await t.api.createNetwork({ body: { name: 'lab', kind: 'private', subnet: '172.16.5.0/24' } });
  });

  it('gives a VM one NIC per network, primary first, with addresses from each range', async () => {
    await t.api.createVm({ body: vm('multi-1', ['lan', 'nat', 'lab']) });
    await t.settle();
    const got = await t.api.getVm({ params: { id: 'multi-1' } });
    expect(got.error).toBeNull();
    expect(got.state).toBe('running');
    expect(got.ip).toBe('192.168.12.100');
    expect(got.nics).toEqual([
      { network: 'lan', vnic: 'apiary1n0', ip: '192.168.12.100' },
      { network: 'nat', vnic: 'apiary1n1', ip: '10.213.0.2' },
      { network: 'lab', vnic: 'apiary1n2', ip: '172.16.5.1' },
    ]);
    // Port forwards belong to a nat primary: this VM has none.
    expect(got.port_map).toEqual({});
    const links = Object.fromEntries(readState(t.simRoot).links.map((l) => [l.name, l]));
    expect(links.apiary1n0).toMatchObject({ class: 'vnic', over: 'e1000g1', vid: 12 });
    expect(links.apiary1n1).toMatchObject({ over: 'apiarystub0' });
    expect(links.apiary1n2).toMatchObject({ over: 'apiaryns10' });
  });

  it('configures each NIC in the zone, with the default route and DNS on the primary only', () => {
    const zone = readState(t.simRoot).zones.find((z) => z.name === 'multi-1');
    const nets = zone?.config.resources.filter((r) => r.type === 'net').map((r) => r.props);
    expect(nets).toEqual([
      { physical: 'apiary1n0', 'allowed-address': '192.168.12.100/24', defrouter: '192.168.12.1' },
      { physical: 'apiary1n1', 'allowed-address': '10.213.0.2/16' },
      { physical: 'apiary1n2', 'allowed-address': '172.16.5.1/24' },
    ]);
    const attrs = zone?.config.resources.filter((r) => r.type === 'attr').map((r) => r.props);
    expect(attrs?.find((a) => a.name === 'resolvers')?.value).toBe('192.168.12.1,9.9.9.9');
    const seed = join(
      t.simRoot,
      'root',
      'zones',
      'multi-1',
      'root',
      'cloud-init',
      'network-config',
    );
    const config = readFileSync(seed, 'utf8');
    expect(config).toContain('192.168.12.100/24');
    expect(config).toContain('172.16.5.1/24');
  });

  it('never gives one address twice, and says when a range is used up', async () => {
    await t.api.createVm({ body: vm('multi-2', ['lan']) });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'multi-2' } })).ip).toBe('192.168.12.101');
    const full = await refusal(t.api.createVm({ body: vm('multi-3', ['lan']) }));
    expect(full).toMatchObject({ status: 409, msg: 'no free address on network lan' });
  });

  it('refuses a network the host does not have, and forwards without a nat primary', async () => {
    const none = await refusal(t.api.createVm({ body: vm('multi-4', ['nat', 'wan']) }));
    expect(none).toMatchObject({ status: 409, msg: 'this host has no network wan' });
    const ports = await refusal(t.api.createVm({ body: vm('multi-5', ['lab'], [8080]) }));
    expect(ports.status).toBe(400);
  });

  it('refuses port changes on a VM whose primary network is not nat', async () => {
    const res = await refusal(
      t.api.updateVm({ params: { id: 'multi-2' }, body: { ports: [8080] } }),
    );
    expect(res).toMatchObject({ status: 400, msg: 'port forwards need nat as the first network' });
  });

  it('refuses to delete a network or its link while a VM uses it, naming the VM', async () => {
    const net = await refusal(t.api.deleteNetwork({ params: { name: 'lab' } }));
    expect(net).toMatchObject({ status: 409, msg: 'network lab is in use by VM multi-1' });
    const link = await refusal(t.api.deleteLink({ params: { name: 'e1000g1' } }));
    expect(link.status).toBe(409);
    expect(link.msg).toMatch(/vm:multi-1/);
    expect(link.msg).toMatch(/network:lan/);
    const { items } = await t.api.listLinks();
    expect(items.find((l) => l.name === 'e1000g1')?.used_by).toEqual(
      expect.arrayContaining(['network:lan', 'vm:multi-1', 'vm:multi-2']),
    );
  });

  it('takes every NIC away with the VM, and frees its addresses', async () => {
    for (const id of ['multi-1', 'multi-2']) await t.api.deleteVm({ params: { id } });
    await t.settle();
    const names = readState(t.simRoot).links.map((l) => l.name);
    expect(names.filter((n) => /^apiary\d+n\d+$/.test(n))).toEqual([]);
    await t.api.deleteNetwork({ params: { name: 'lab' } });
    await t.api.createVm({ body: vm('multi-6', ['lan']) });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'multi-6' } })).ip).toBe('192.168.12.100');
  });

  it('keeps a VM that names only nat exactly as before (no NIC rows)', async () => {
    await t.api.createVm({ body: vm('plain-1', ['nat'], [8080]) });
    await t.settle();
    const got = await t.api.getVm({ params: { id: 'plain-1' } });
    expect(got.nics).toBeUndefined();
    expect(Object.keys(got.port_map)).toEqual(['22', '8080']);
  });
});
