import { readState } from '@apiary/illumos-sim';
import type { VmMigrationSpec } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { finished, type ServedAgent, servedAgent } from './helpers/migration-pair.js';

/*
 * Moving a VM that joined networks besides nat (issue 15), agent to agent: the source's spec
 * lists every NIC (network, MAC, static address), the target makes each again over the same
 * network with the same MAC and address, and an import dropped leaves none of them.
 */

const ENV = 'nics';
const VNI = 4097;
const overlayNic = (n: number) => ({ mac: `2:0:10:1:0:${n.toString(16)}`, ip: `10.214.0.${n}` });

let a: ServedAgent;
let b: ServedAgent;

beforeAll(async () => {
  [a, b] = await Promise.all([servedAgent(), servedAgent()]);
  for (const t of [a, b]) {
    await t.api.createNetwork({ body: { name: 'lab', kind: 'private', subnet: '172.16.5.0/24' } });
    await t.api.putEnvOverlay({
      params: { env_id: ENV },
      body: { vni: VNI, subnet: '10.214.0.0/24', entries: [] },
    });
  }
});

async function vmOnA(id: string, n: number) {
  const op = await finished(
    a,
    a.api.createVm({
      body: {
        id,
        env_id: ENV,
        image: 'box',
        ports: [8080],
        networks: ['nat', 'lab', `env-${VNI}`],
        env_nic: overlayNic(n),
      },
    }),
  );
  expect(op.state, op.error?.msg).toBe('succeeded');
}

/** The zone's NICs as the host has them: over which link, with which MAC. */
function zoneNics(t: ServedAgent, id: string) {
  const state = readState(t.simRoot);
  const zone = state.zones.find((z) => z.name === id);
  return (zone?.config.resources ?? [])
    .filter((r) => r.type === 'net')
    .map((r) => {
      const link = state.links.find((l) => l.name === r.props.physical);
      return { over: link?.over, mac: link?.mac };
    });
}

const macsOn = (t: ServedAgent) =>
  new Set(
    readState(t.simRoot)
      .links.filter((l) => l.class === 'vnic')
      .map((l) => l.mac),
  );

async function moveToB(id: string, spec: VmMigrationSpec) {
  const opened = await b.remote.openImport({ body: { spec } });
  expect((await finished(a, a.api.stopVm({ params: { id } }))).state).toBe('succeeded');
  const exported = await finished(
    a,
    a.remote.startExport({
      body: {
        vm_id: id,
        target_url: opened.upload_url,
        transfer_token: opened.transfer_token,
        snapshot: 'm1',
      },
    }),
  );
  expect(exported.state, exported.error?.msg).toBe('succeeded');
  const commit = await finished(
    b,
    b.remote.commitImport({ params: { id: opened.import_id }, body: { start: true } }),
  );
  expect(commit.state, commit.error?.msg).toBe('succeeded');
  const released = await finished(a, a.remote.releaseVm({ params: { id } }));
  expect(released.state, released.error?.msg).toBe('succeeded');
}

describe('moving a VM on several networks between two agents', () => {
  it('makes every NIC again on the target with the MAC and address it had; none stays on the source', async () => {
    const id = 'nic1';
    await vmOnA(id, 10);
    const before = await a.api.getVm({ params: { id } });
    const nicsA = zoneNics(a, id);
    expect(nicsA.map((n) => n.over)).toEqual(['apiarystub0', 'apiaryns10', `apiaryov${VNI}0`]);
    expect(nicsA[2]?.mac).toBe(overlayNic(10).mac);

    const spec = await a.remote.migrationSpec({ params: { id } });
    expect(spec.nics).toEqual([
      { network: 'nat', mac: nicsA[0]?.mac, ip: null },
      { network: 'lab', mac: nicsA[1]?.mac, ip: '172.16.5.1' },
      { network: `env-${VNI}`, ...overlayNic(10) },
    ]);
    // The target has a VM of its own on lab already: the moved one keeps its address anyway.
    const other = await finished(
      b,
      b.api.createVm({ body: { id: 'stay', env_id: 'other', image: 'box', networks: ['lab'] } }),
    );
    expect(other.state, other.error?.msg).toBe('succeeded');
    expect((await b.api.getVm({ params: { id: 'stay' } })).ip).toBe('172.16.5.1');
    const clash = await b.remote.openImport({ body: { spec } }).catch((e: Error) => e.message);
    expect(clash).toBe('address 172.16.5.1 on network lab is taken here');
    expect((await finished(b, b.api.deleteVm({ params: { id: 'stay' } }))).state).toBe('succeeded');

    await moveToB(id, spec);

    const after = await b.api.getVm({ params: { id } });
    expect(after.state).toBe('running');
    expect(after.nics?.map((n) => [n.network, n.ip])).toEqual(
      before.nics?.map((n) => [n.network, n.network === 'nat' ? after.nics?.[0]?.ip : n.ip]),
    );
    expect(zoneNics(b, id)).toEqual(nicsA);
    const moved = new Set(nicsA.map((n) => n.mac));
    expect([...macsOn(a)].filter((m) => moved.has(m))).toEqual([]);

    // Deleting it on the target takes every NIC with it.
    expect((await finished(b, b.api.deleteVm({ params: { id } }))).state).toBe('succeeded');
    expect([...macsOn(b)].filter((m) => moved.has(m))).toEqual([]);
  }, 300_000);

  it('an import refused for a network the target lacks, and one dropped, leave no NIC behind', async () => {
    const id = 'nic2';
    await vmOnA(id, 11);
    const spec = await a.remote.migrationSpec({ params: { id } });
    const missing = {
      ...spec,
      nics: spec.nics?.map((n) => (n.network === 'lab' ? { ...n, network: 'dmz' } : n)),
    };
    const refused = await b.remote.openImport({ body: { spec: missing } }).catch((e: Error) => e);
    expect((refused as Error).message).toBe('this host has no network dmz');
    expect(await b.api.getVm({ params: { id } }).catch((e) => e.code)).toBe('not_found');

    const opened = await b.remote.openImport({ body: { spec } });
    await b.remote.abortImport({ params: { id: opened.import_id } });
    const next = await finished(
      b,
      b.api.createVm({ body: { id: 'after', env_id: 'other', image: 'box', networks: ['lab'] } }),
    );
    expect(next.state, next.error?.msg).toBe('succeeded');
    // The address the import held on lab is free again: a VM made here now takes it.
    expect((await b.api.getVm({ params: { id: 'after' } })).ip).toBe('172.16.5.1');
    expect((await finished(b, b.api.deleteVm({ params: { id: 'after' } }))).state).toBe(
      'succeeded',
    );
    expect((await finished(a, a.api.deleteVm({ params: { id } }))).state).toBe('succeeded');
  }, 300_000);
});
