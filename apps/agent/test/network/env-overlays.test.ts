import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '@apiary/illumos-sim';
import type { ApiError, OverlayEntry } from '@apiary/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZfsImage } from '../helpers/images.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * Environment overlays (issue 14): a VXLAN overlay per environment with the varpd `files`
 * mapping the controller sends, VMs joining it with the MAC and address the controller chose,
 * mapping updates that varpd actually takes in (it reads the file only when it starts), and
 * removal that leaves neither the link nor the file.
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

const entry = (mac: string, ip: string, underlay: string): OverlayEntry => ({
  mac,
  ip,
  underlay_ip: underlay,
  underlay_port: 4789,
});
const A = entry('2:0:10:0:0:a', '10.214.0.10', '192.168.1.10');
const B = entry('2:0:10:0:0:b', '10.214.0.11', '192.168.1.20');
const C = entry('2:0:10:0:0:c', '10.214.0.12', '192.168.1.20');

const overlayOf = (t: SimAgent, name: string) =>
  readState(t.simRoot).links.find((l) => l.name === name);
const mappingFile = (t: SimAgent, vni: number) =>
  join(t.simRoot, 'root', 'var', 'apiary', 'overlays', `vni${vni}.json`);

describe('environment overlays', () => {
  let t: SimAgent;
  beforeAll(async () => {
    t = await simAgent({ init: { links: ['e1000g0'] } });
    await t.api.uploadImage({
      query: { name: 'box' },
      body: image.stream,
      contentLength: image.stream.length,
    });
  });

  it('creates a VXLAN overlay listening on the external address, with the files mapping', async () => {
    const got = await t.api.putEnvOverlay({
      params: { env_id: 'blue' },
      body: { vni: 4096, subnet: '10.214.0.0/24', entries: [A, B] },
    });
    expect(got).toMatchObject({
      env_id: 'blue',
      vni: 4096,
      network: 'env-4096',
      link: 'apiaryov40960',
      mapping_file: '/var/apiary/overlays/vni4096.json',
      underlay_ip: '192.168.1.10',
      underlay_port: 4789,
    });
    const link = overlayOf(t, 'apiaryov40960');
    expect(link?.class).toBe('overlay');
    expect(link?.overlay).toMatchObject({
      encap: 'vxlan',
      search: 'files',
      vnetid: 4096,
      props: { 'vxlan/listen_ip': '192.168.1.10', 'vxlan/listen_port': '4789' },
      searchProps: { 'files/config': '/var/apiary/overlays/vni4096.json' },
    });
    expect(JSON.parse(readFileSync(mappingFile(t, 4096), 'utf8'))).toEqual({
      '2:0:10:0:0:a': { ip: '192.168.1.10', port: 4789, arp: '10.214.0.10' },
      '2:0:10:0:0:b': { ip: '192.168.1.20', port: 4789, arp: '10.214.0.11' },
    });
    // What varpd read when it activated the instance.
    expect(link?.overlay?.mapping?.map((e) => e.mac).sort()).toEqual([A.mac, B.mac]);
  });

  it('lets a VM of the environment join with its MAC and address, configured for cloud-init', async () => {
    await t.api.createVm({
      body: {
        id: 'blue-0',
        env_id: 'blue',
        image: 'box',
        ssh_keys: [],
        networks: ['nat', 'env-4096'],
        env_nic: { mac: A.mac, ip: A.ip },
      },
    });
    await t.settle();
    const vm = await t.api.getVm({ params: { id: 'blue-0' } });
    expect(vm.state).toBe('running');
    expect(vm.nics).toEqual([
      { network: 'nat', vnic: 'apiary1n0', ip: '10.213.0.2' },
      { network: 'env-4096', vnic: 'apiary1n1', ip: '10.214.0.10' },
    ]);
    const vnic = readState(t.simRoot).links.find((l) => l.name === 'apiary1n1');
    expect(vnic).toMatchObject({ class: 'vnic', over: 'apiaryov40960', mac: A.mac });
    const zone = readState(t.simRoot).zones.find((z) => z.name === 'blue-0');
    const nets = zone?.config.resources.filter((r) => r.type === 'net').map((r) => r.props);
    // The overlay NIC gets its address and no default route (that stays on nat).
    expect(nets?.[1]).toEqual({ physical: 'apiary1n1', 'allowed-address': '10.214.0.10/24' });
    const seed = join(t.simRoot, 'root', 'zones', 'blue-0', 'root', 'cloud-init');
    expect(readFileSync(join(seed, 'network-config'), 'utf8')).toContain('10.214.0.10/24');
  });

  it("refuses a VM of another environment on this environment's overlay", async () => {
    const other = await refusal(
      t.api.createVm({
        body: {
          id: 'green-0',
          env_id: 'green',
          image: 'box',
          ssh_keys: [],
          networks: ['nat', 'env-4096'],
          env_nic: { mac: '2:0:10:0:0:f', ip: '10.214.0.20' },
        },
      }),
    );
    expect(other).toMatchObject({
      status: 409,
      msg: 'this host has no network env-4096 for environment green',
    });
  });

  it('rewrites the mapping and restarts varpd so that it reads it', async () => {
    const mark = t.commands().length;
    const got = await t.api.putEnvOverlay({
      params: { env_id: 'blue' },
      body: { vni: 4096, subnet: '10.214.0.0/24', entries: [A, B, C] },
    });
    expect(got.entries).toHaveLength(3);
    const argv = t
      .commands()
      .slice(mark)
      .map((c) => c.argv.join(' '));
    expect(argv).toEqual(['svcadm restart svc:/network/varpd:default']);
    expect(Object.keys(JSON.parse(readFileSync(mappingFile(t, 4096), 'utf8')))).toEqual([
      A.mac,
      B.mac,
      C.mac,
    ]);
    const loaded = overlayOf(t, 'apiaryov40960')?.overlay?.mapping?.map((e) => e.mac);
    expect(loaded?.sort()).toEqual([A.mac, B.mac, C.mac]);
    // The same mapping again changes nothing on the host.
    const again = t.commands().length;
    await t.api.putEnvOverlay({
      params: { env_id: 'blue' },
      body: { vni: 4096, subnet: '10.214.0.0/24', entries: [C, B, A] },
    });
    expect(t.commands().length).toBe(again);
  });

  it('keeps environments apart: another VNI, another link and file; a VNI in use is refused', async () => {
    const green = await t.api.putEnvOverlay({
      params: { env_id: 'green' },
      body: { vni: 4097, subnet: '10.214.0.0/24', entries: [] },
    });
    expect(green).toMatchObject({ link: 'apiaryov40970', entries: [] });
    expect(JSON.parse(readFileSync(mappingFile(t, 4097), 'utf8'))).toEqual({});
    const taken = await refusal(
      t.api.putEnvOverlay({
        params: { env_id: 'red' },
        body: { vni: 4096, subnet: '10.214.0.0/24', entries: [] },
      }),
    );
    expect(taken).toMatchObject({
      status: 409,
      msg: "VNI 4096 is another environment's on this host",
    });
    const moved = await refusal(
      t.api.putEnvOverlay({
        params: { env_id: 'blue' },
        body: { vni: 4098, subnet: '10.214.0.0/24', entries: [] },
      }),
    );
    expect(moved.status).toBe(409);
    expect((await t.api.listEnvOverlays()).items.map((o) => o.env_id).sort()).toEqual([
      'blue',
      'green',
    ]);
  });

  it('refuses removal while a VM is on the overlay, then removes link and file', async () => {
    const busy = await refusal(t.api.deleteEnvOverlay({ params: { env_id: 'blue' } }));
    expect(busy).toMatchObject({
      status: 409,
      msg: 'the overlay of environment blue is in use by VM blue-0',
    });
    await t.api.deleteVm({ params: { id: 'blue-0' } });
    await t.settle();
    await t.api.deleteEnvOverlay({ params: { env_id: 'blue' } });
    expect(overlayOf(t, 'apiaryov40960')).toBeUndefined();
    expect(existsSync(mappingFile(t, 4096))).toBe(false);
    // Already gone is done (a controller retrying after a lost answer).
    await t.api.deleteEnvOverlay({ params: { env_id: 'blue' } });
    await t.api.deleteEnvOverlay({ params: { env_id: 'green' } });
    expect((await t.api.listEnvOverlays()).items).toEqual([]);
  });
});
