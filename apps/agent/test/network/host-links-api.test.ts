import { readState } from '@apiary/illumos-sim';
import type { ApiError } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZfsImage } from '../helpers/images.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * The host links API on a simulated host with a spare NIC and an aggregation: a listing in a
 * fixed number of commands, host links made and removed, Apiary's links and links in use kept.
 */

async function refusal(p: Promise<unknown>) {
  const e = (await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (x: unknown) => x,
  )) as ApiError;
  return { status: e.status, msg: e.message };
}

const image = buildZfsImage();

describe('host links API', () => {
  let t: SimAgent;
  beforeAll(async () => {
    t = await simAgent({
      init: {
        links: ['e1000g0', 'e1000g1', 'e1000g2', 'e1000g3'],
        aggrs: [{ name: 'aggr0', ports: ['e1000g2', 'e1000g3'] }],
      },
    });
    await t.api.uploadImage({
      query: { name: 'box' },
      body: image.stream,
      contentLength: image.stream.length,
    });
    await t.api.createVm({ body: { id: 'web-1', env_id: 'e', image: 'box', ssh_keys: [] } });
    await t.settle();
  });

  it('lists every link with class, over, MTU, MAC, zone and users in four commands', async () => {
    const mark = t.commands().length;
    const { items } = await t.api.listLinks();
    expect(
      t
        .commands()
        .slice(mark)
        .map((c) => c.argv.slice(0, 2).join(' ')),
    ).toEqual(
      expect.arrayContaining([
        'dladm show-link',
        'dladm show-vnic',
        'dladm show-vlan',
        'ipadm show-addr',
      ]),
    );
    expect(t.commands().length - mark).toBe(4);
    const by = Object.fromEntries(items.map((l) => [l.name, l]));
    expect(by.aggr0).toMatchObject({ class: 'aggr', over: ['e1000g2', 'e1000g3'], owner: 'host' });
    expect(by.e1000g2?.used_by).toEqual(['link:aggr0']);
    expect(by.apiarystub0).toMatchObject({ class: 'etherstub', owner: 'apiary' });
    expect(by.apiarystub0?.used_by).toEqual(expect.arrayContaining(['link:apiarygw0', 'vm:web-1']));
    const vmNic = items.find((l) => l.zone === 'web-1');
    expect(vmNic).toMatchObject({ class: 'vnic', over: ['apiarystub0'], owner: 'apiary' });
    expect(vmNic?.mac).toMatch(/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/);
    expect(by.e1000g0?.used_by).toContain('address:e1000g0/v4');
  });

  it('creates and deletes a VLAN, an etherstub and a VNIC', async () => {
    const vlan = await t.api.createLink({
      body: { kind: 'vlan', name: 'lan12', over: 'e1000g1', vlan_id: 12 },
    });
    expect(vlan).toMatchObject({ class: 'vlan', over: ['e1000g1'], vlan_id: 12, owner: 'host' });
    const stub = await t.api.createLink({ body: { kind: 'etherstub', name: 'stub7' } });
    expect(stub.class).toBe('etherstub');
    const vnic = await t.api.createLink({ body: { kind: 'vnic', name: 'tap0', over: 'stub7' } });
    expect(vnic).toMatchObject({ class: 'vnic', over: ['stub7'] });
    const busy = await refusal(t.api.deleteLink({ params: { name: 'stub7' } }));
    expect(busy).toMatchObject({ status: 409, msg: 'stub7 is in use by link:tap0' });
    await t.api.deleteLink({ params: { name: 'tap0' } });
    await t.api.deleteLink({ params: { name: 'stub7' } });
    await t.api.deleteLink({ params: { name: 'lan12' } });
    const names = readState(t.simRoot).links.map((l) => l.name);
    expect(names).not.toContain('lan12');
    expect(names).not.toContain('stub7');
  });

  it('answers dladm refusals in dladm’s words', async () => {
    await t.api.createLink({ body: { kind: 'vlan', name: 'lan13', over: 'e1000g1', vlan_id: 13 } });
    const twice = await refusal(
      t.api.createLink({ body: { kind: 'vlan', name: 'lan14', over: 'e1000g1', vlan_id: 13 } }),
    );
    expect(twice.status).toBe(409);
    expect(twice.msg).toMatch(/MAC address is already in use/);
    const noLink = await refusal(
      t.api.createLink({ body: { kind: 'vnic', name: 'v0', over: 'nosuch0' } }),
    );
    expect(noLink.status).toBe(404);
    await t.api.deleteLink({ params: { name: 'lan13' } });
  });

  it('never deletes Apiary’s links, nor creates links named like them or over them', async () => {
    const own = await refusal(t.api.deleteLink({ params: { name: 'apiarystub0' } }));
    expect(own.status).toBe(403);
    expect(own.msg).toMatch(/Apiary's own link/);
    const over = await refusal(
      t.api.createLink({ body: { kind: 'vnic', name: 'mine0', over: 'apiarystub0' } }),
    );
    expect(over.status).toBe(403);
    const res = await t.fetch('http://agent.test/api/host/links', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'etherstub', name: 'apiaryx0' }),
    });
    expect(res.status).toBe(400);
    expect(readState(t.simRoot).links.some((l) => l.name === 'apiarystub0')).toBe(true);
  });

  it('refuses to delete a physical link or one a network uses, naming the user', async () => {
    const phys = await refusal(t.api.deleteLink({ params: { name: 'e1000g1' } }));
    expect(phys.status).toBe(400);
    const ports = await refusal(t.api.deleteLink({ params: { name: 'e1000g2' } }));
    expect(ports).toMatchObject({ status: 409, msg: 'e1000g2 is in use by link:aggr0' });
  });

  it('lists addresses, with Apiary’s gateway marked', async () => {
    const { items } = await t.api.listAddresses();
    const by = Object.fromEntries(items.map((a) => [a.addrobj, a]));
    expect(by['apiarygw0/v4']).toMatchObject({ owner: 'apiary', address: '10.213.0.1/16' });
    expect(by['e1000g0/v4']).toMatchObject({ owner: 'host', interface: 'e1000g0', type: 'static' });
  });

  it('reads and sets forwarding, keeping IPv4 on', async () => {
    expect(await t.api.getForwarding()).toEqual({ ipv4: true, ipv6: false });
    expect(await t.api.setForwarding({ body: { ipv6: true } })).toEqual({ ipv4: true, ipv6: true });
    const off = await refusal(t.api.setForwarding({ body: { ipv4: false } }));
    expect(off.status).toBe(409);
    expect(await t.api.setForwarding({ body: { ipv6: false } })).toEqual({
      ipv4: true,
      ipv6: false,
    });
  });

  it('lists the NAT table with Apiary’s maps and forwards marked', async () => {
    const { runCommand } = await import('@apiary/illumos-sim');
    await runCommand({
      argv: ['ipnat', '-f', '-'],
      root: t.simRoot,
      stdin: 'rdr e1000g0 0.0.0.0/0 port 8443 -> 192.168.1.50 port 443 tcp\n',
    });
    const { rules } = await t.api.getNat();
    const owners = rules.map((r) => `${r.owner} ${r.rule.split(' ')[0]}`);
    expect(owners.filter((o) => o === 'apiary map')).toHaveLength(2);
    expect(rules.find((r) => r.rule.includes('port 22 tcp'))?.owner).toBe('apiary');
    expect(rules.find((r) => r.rule.includes('192.168.1.50'))?.owner).toBe('host');
  });
});
