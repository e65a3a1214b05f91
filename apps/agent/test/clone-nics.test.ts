import { readState } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { finished, type ServedAgent, servedAgent } from './helpers/migration-pair.js';

/*
 * A clone of a VM on several networks (issue 15): it joins the networks its request names,
 * each with a NIC of its own (a new MAC, the next free address), and its environment's overlay
 * with the MAC and address the controller chose.
 */

const VNI = 4098;
let t: ServedAgent;

beforeAll(async () => {
  t = await servedAgent();
  await t.api.createNetwork({ body: { name: 'lab', kind: 'private', subnet: '172.16.6.0/24' } });
  await t.api.putEnvOverlay({
    params: { env_id: 'cl' },
    body: { vni: VNI, subnet: '10.214.0.0/24', entries: [] },
  });
});

const nicsOf = (id: string) => {
  const state = readState(t.simRoot);
  const zone = state.zones.find((z) => z.name === id);
  return (zone?.config.resources ?? [])
    .filter((r) => r.type === 'net')
    .map((r) => state.links.find((l) => l.name === r.props.physical))
    .map((l) => ({ over: l?.over, mac: l?.mac }));
};

describe('cloning a VM on several networks', () => {
  it('gives the clone its own NIC on each network it names', async () => {
    const networks = ['nat', 'lab', `env-${VNI}`];
    const made = await finished(
      t,
      t.api.createVm({
        body: {
          id: 'src',
          env_id: 'cl',
          image: 'box',
          networks,
          env_nic: { mac: '2:0:10:2:0:a', ip: '10.214.0.10' },
        },
      }),
    );
    expect(made.state, made.error?.msg).toBe('succeeded');
    const snap = await finished(
      t,
      t.api.createSnapshot({ params: { id: 'src' }, body: { name: 's1' } }),
    );
    expect(snap.state, snap.error?.msg).toBe('succeeded');
    const cloned = await finished(
      t,
      t.api.cloneSnapshot({
        params: { id: 'src', name: 's1' },
        body: { id: 'dup', networks, env_nic: { mac: '2:0:10:2:0:b', ip: '10.214.0.11' } },
      }),
    );
    expect(cloned.state, cloned.error?.msg).toBe('succeeded');

    const dup = await t.api.getVm({ params: { id: 'dup' } });
    expect(dup.nics?.map((n) => [n.network, n.ip])).toEqual([
      ['nat', expect.stringMatching(/^10\.213\./)],
      ['lab', '172.16.6.2'],
      [`env-${VNI}`, '10.214.0.11'],
    ]);
    const src = nicsOf('src');
    const own = nicsOf('dup');
    expect(own.map((n) => n.over)).toEqual(src.map((n) => n.over));
    expect(own[2]?.mac).toBe('2:0:10:2:0:b');
    for (const [i, n] of own.entries()) expect(n.mac).not.toBe(src[i]?.mac);

    for (const id of ['dup', 'src']) {
      expect((await finished(t, t.api.deleteVm({ params: { id } }))).state).toBe('succeeded');
    }
  }, 300_000);
});
