import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop';
const image = buildZfsImage({ content: 'alpine disk\n' });

let t: SimAgent;
let baseline: ReturnType<typeof hostSnapshot>;

beforeAll(async () => {
  t = await simAgent();
  const uploaded = await t.api.uploadImage({
    query: { name: 'alpine', format: 'zfs-send' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  expect(uploaded.digest).toBe(image.digest);
  baseline = hostSnapshot(t.simRoot);
});

const zone = (name: string) => readState(t.simRoot).zones.find((z) => z.name === name);
const attr = (name: string, attrName: string) =>
  zone(name)?.config.resources.find((r) => r.type === 'attr' && r.props.name === attrName)?.props
    .value;

describe('images', () => {
  it('keeps the uploaded image as a dataset keyed by digest with a @base snapshot', async () => {
    const hex = image.digest.slice(7);
    expect(baseline.datasets).toContain(`rpool/apiary/images/${hex}`);
    expect(baseline.datasets).toContain(`rpool/apiary/images/${hex}@base`);
    const list = await t.api.listImages();
    expect(list.items).toEqual([
      expect.objectContaining({
        digest: image.digest,
        name: 'alpine',
        format: 'zfs-send',
        vm_count: 0,
      }),
    ]);
  });

  it('sets up the private NAT network once', () => {
    expect(baseline.links).toContain('apiarystub0:etherstub');
    expect(baseline.links).toContain('apiarygw0:vnic:apiarystub0');
    expect(baseline.addresses).toContain('apiarygw0/v4=10.213.0.1/16');
    expect(baseline.nat).toEqual([
      'map e1000g0 10.213.0.0/16 -> 0.0.0.0/32 portmap tcp/udp auto',
      'map e1000g0 10.213.0.0/16 -> 0.0.0.0/32',
    ]);
    expect(readState(t.simRoot).forwarding.ipv4.current).toBe('on');
  });
});

describe('VM lifecycle through the HTTP API', () => {
  const id = 'demo-0';

  it('creates a VM: clone, VNIC, zone, boot, port forwards', async () => {
    const { vm, operation } = await t.api.createVm({
      body: {
        id,
        env_id: 'demo',
        image: 'alpine',
        cpu: 2,
        mem: 2048,
        disk: 4096,
        ports: [80],
        ssh_keys: [KEY],
      },
    });
    expect(vm.state).toBe('creating');
    expect(operation).toMatchObject({ kind: 'create', vm_id: id });
    await t.settle();
    const op = await t.api.getOperation({ params: { id: operation.id } });
    expect(op).toMatchObject({ state: 'succeeded', error: null });
    const got = await t.api.getVm({ params: { id } });
    expect(got).toMatchObject({
      state: 'running',
      ip: '10.213.0.2',
      port_map: { '22': 40000, '80': 40001 },
      ports: [22, 80],
      image_digest: image.digest,
    });

    const host = readState(t.simRoot);
    expect(zone(id)?.state).toBe('running');
    expect(zone(id)?.config.props).toMatchObject({
      brand: 'bhyve',
      'ip-type': 'exclusive',
      zonepath: `/zones/${id}`,
    });
    const net = zone(id)?.config.resources.find((r) => r.type === 'net');
    expect(net?.props).toMatchObject({
      physical: 'apiary1n0',
      'allowed-address': '10.213.0.2/16',
      defrouter: '10.213.0.1',
    });
    expect(attr(id, 'apiary-vm-id')).toBe(id);
    expect(attr(id, 'apiary-env-id')).toBe('demo');
    expect(attr(id, 'vcpus')).toBe('2');
    expect(attr(id, 'ram')).toBe('2048M');
    expect(attr(id, 'bootdisk')).toBe(`rpool/apiary/vms/${id}/disk0`);
    const disk = host.datasets[`rpool/apiary/vms/${id}/disk0`];
    expect(disk).toMatchObject({
      type: 'volume',
      volsize: 4096 * 1024 * 1024,
      origin: `rpool/apiary/images/${image.digest.slice(7)}@base`,
    });
    expect(host.links.find((l) => l.name === 'apiary1n0')).toMatchObject({
      class: 'vnic',
      over: 'apiarystub0',
    });
    expect(host.ipfilter.global.nat).toContain(
      'rdr e1000g0 0.0.0.0/0 port 40000 -> 10.213.0.2 port 22 tcp',
    );
    expect(host.ipfilter.global.nat).toContain(
      'rdr e1000g0 0.0.0.0/0 port 40001 -> 10.213.0.2 port 80 tcp',
    );
    const userData = readFileSync(
      join(t.simRoot, 'root', 'var', 'apiary', 'cloud-init', id, 'user-data'),
      'utf8',
    );
    expect(userData).toContain('#cloud-config');
    expect(userData).toContain(JSON.stringify(KEY));
    // The disk is made larger than the image: cloud-init grows the root file system into it.
    expect(userData).toContain("growpart:\n  mode: auto\n  devices: ['/']\nresize_rootfs: true");
    expect(attr(id, 'cloud-init')).toBe(`/var/apiary/cloud-init/${id}/user-data`);
  });

  it('answers the same create again with the same VM and operation (idempotent)', async () => {
    const again = await t.api.createVm({
      body: {
        id,
        env_id: 'demo',
        image: 'alpine',
        cpu: 2,
        mem: 2048,
        disk: 4096,
        ports: [80],
        ssh_keys: [KEY],
      },
    });
    expect(again.vm.state).toBe('running');
    expect(readState(t.simRoot).zones.filter((z) => z.name === id)).toHaveLength(1);
  });

  it('refuses a different create with the same id (409)', async () => {
    const error = await t.api
      .createVm({
        body: {
          id,
          env_id: 'demo',
          image: 'alpine',
          cpu: 4,
          mem: 2048,
          disk: 4096,
          ssh_keys: [KEY],
        },
      })
      .catch((e) => e);
    expect(error.status).toBe(409);
  });

  it('stops the VM: the zone goes back to installed', async () => {
    const { vm } = await t.api.stopVm({ params: { id } });
    expect(vm.state).toBe('stopping');
    await t.settle();
    expect((await t.api.getVm({ params: { id } })).state).toBe('stopped');
    expect(zone(id)?.state).toBe('installed');
  });

  it('starts the VM again', async () => {
    await t.api.startVm({ params: { id } });
    await t.settle();
    expect((await t.api.getVm({ params: { id } })).state).toBe('running');
    expect(zone(id)?.state).toBe('running');
  });

  it('restarts the VM with a zone reboot', async () => {
    const before = t.commands().length;
    await t.api.restartVm({ params: { id } });
    await t.settle();
    expect((await t.api.getVm({ params: { id } })).state).toBe('running');
    expect(
      t
        .commands()
        .slice(before)
        .some((c) => c.argv.includes('reboot')),
    ).toBe(true);
  });

  it('bumps the generation on every state change', async () => {
    const g1 = (await t.api.getVm({ params: { id } })).generation;
    await t.api.stopVm({ params: { id } });
    await t.settle();
    const g2 = (await t.api.getVm({ params: { id } })).generation;
    expect(g2).toBeGreaterThan(g1);
    await t.api.startVm({ params: { id } });
    await t.settle();
  });

  it('deletes the VM and leaves the host exactly as before', async () => {
    await t.api.deleteVm({ params: { id } });
    await t.settle();
    const error = await t.api.getVm({ params: { id } }).catch((e) => e);
    expect(error.status).toBe(404);
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
    expect((await t.api.listImages()).items[0]?.vm_count).toBe(0);
  });
});

describe('operations on one VM', () => {
  it('queues a delete sent while the create runs, and ends with nothing on the host', async () => {
    const { operation: create } = await t.api.createVm({
      body: { id: 'quick-0', env_id: 'quick', image: 'alpine' },
    });
    const { operation: del } = await t.api.deleteVm({ params: { id: 'quick-0' } });
    expect(del.state).toBe('pending');
    const again = await t.api.deleteVm({ params: { id: 'quick-0' } });
    expect(again.operation.id).toBe(del.id);
    const stop = await t.api.stopVm({ params: { id: 'quick-0' } }).catch((e) => e);
    expect(stop.status).toBe(409);
    await t.settle();
    expect((await t.api.getOperation({ params: { id: create.id } })).state).toBe('succeeded');
    expect((await t.api.getOperation({ params: { id: del.id } })).state).toBe('succeeded');
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });

  it('retries a failed create when the same request is sent again', async () => {
    const { addFault } = await import('@apiary/illumos-sim');
    await addFault(t.simRoot, { match: 'zoneadm -z again-0 install', count: 2, stderr: 'no\n' });
    const body = { id: 'again-0', env_id: 'again', image: 'alpine' };
    await t.api.createVm({ body });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'again-0' } })).state).toBe('failed');
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
    const second = await t.api.createVm({ body });
    expect(second.vm.state).toBe('creating');
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'again-0' } })).state).toBe('running');
    await t.api.deleteVm({ params: { id: 'again-0' } });
    await t.settle();
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });
});

describe('image delete', () => {
  it('is refused while a VM uses the image, then removes its datasets', async () => {
    await t.api.createVm({ body: { id: 'user-0', env_id: 'user', image: 'alpine' } });
    await t.settle();
    const refused = await t.api.deleteImage({ params: { digest: image.digest } }).catch((e) => e);
    expect(refused.status).toBe(409);
    expect((await t.api.listImages()).items[0]?.vm_count).toBe(1);
    await t.api.deleteVm({ params: { id: 'user-0' } });
    await t.settle();
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });
});

describe('metrics', () => {
  it('exposes counters and gauges in the Prometheus text format without running host commands', async () => {
    const before = t.commands().length;
    const res = await t.fetch('http://agent.test/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /^apiary_agent_host_command_duration_seconds_count\{command="zoneadm",result="ok"\} \d+$/m,
    );
    expect(text).toMatch(
      /^apiary_agent_operations_total\{kind="create",result="succeeded"\} \d+$/m,
    );
    expect(text).toMatch(/^apiary_agent_capacity\{resource="cpu"\} 8$/m);
    expect(text).toMatch(/^apiary_agent_free_host_ports \d+$/m);
    expect(t.commands().length).toBe(before);
  });
});

describe('deny_outgoing', () => {
  const id = 'locked-0';

  it('loads egress blocks into the VM zone filter and persists them for the brand', async () => {
    await t.api.createVm({
      body: { id, env_id: 'locked', image: 'alpine', deny_outgoing: true, ssh_keys: [KEY] },
    });
    await t.settle();
    expect((await t.api.getVm({ params: { id } })).state).toBe('running');
    const inst = readState(t.simRoot).ipfilter.zones[id];
    expect(inst?.enabled).toBe(true);
    expect(inst?.rulesOut).toEqual([
      'block out quick proto tcp from any to any flags S/SA',
      'block out quick proto udp from any to any',
      'block out quick proto icmp from any to any icmp-type echo',
    ]);
    expect(inst?.rulesIn).toEqual([]);
    expect(existsSync(join(t.simRoot, 'root', 'zones', id, 'etc', 'ipf.conf'))).toBe(true);
    // Another VM's filter instance is untouched: only this zone has rules.
    expect(Object.keys(hostSnapshot(t.simRoot).zoneRules)).toEqual([id]);
  });

  it('puts the rules back after a stop and start', async () => {
    await t.api.stopVm({ params: { id } });
    await t.settle();
    await t.api.startVm({ params: { id } });
    await t.settle();
    expect(readState(t.simRoot).ipfilter.zones[id]?.rulesOut).toHaveLength(3);
  });

  it('removes everything on delete', async () => {
    await t.api.deleteVm({ params: { id } });
    await t.settle();
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });

  it('deletes the unused image and its datasets', async () => {
    await t.api.deleteImage({ params: { digest: image.digest } });
    const hex = image.digest.slice(7);
    expect(Object.keys(readState(t.simRoot).datasets).filter((d) => d.includes(hex))).toEqual([]);
    expect((await t.api.listImages()).total).toBe(0);
  });
});
