import { describe, expect, it } from 'vitest';
import {
  CreateDatasetReq,
  CreateLinkReq,
  CreateNetworkReq,
  CreateVmReq,
  DatasetPath,
  Inventory,
  Ipv4Cidr,
  UpdateDatasetReq,
} from '../src/index.js';

describe('storage schemas', () => {
  it('takes a file system with whitelisted properties and refuses volume-only ones', () => {
    expect(
      CreateDatasetReq.parse({ name: 'tank/a', properties: { quota: 1024, recordsize: 16384 } }),
    ).toMatchObject({ type: 'filesystem', properties: { quota: 1024, recordsize: 16384 } });
    expect(
      CreateDatasetReq.safeParse({ name: 'tank/a', properties: { volblocksize: 8192 } }).success,
    ).toBe(false);
    expect(CreateDatasetReq.safeParse({ name: 'tank', type: 'filesystem' }).success).toBe(false);
  });

  it('wants a volume size that is a multiple of its block size', () => {
    expect(CreateDatasetReq.safeParse({ name: 'tank/v', type: 'volume', size: 8192 }).success).toBe(
      true,
    );
    expect(CreateDatasetReq.safeParse({ name: 'tank/v', type: 'volume', size: 1000 }).success).toBe(
      false,
    );
    expect(CreateDatasetReq.safeParse({ name: 'tank/v', type: 'volume' }).success).toBe(false);
  });

  it('patches only quota, reservation, compression and atime, and at least one', () => {
    expect(UpdateDatasetReq.safeParse({ quota: null }).success).toBe(true);
    expect(UpdateDatasetReq.safeParse({}).success).toBe(false);
    expect(UpdateDatasetReq.safeParse({ recordsize: 8192 }).success).toBe(false);
    expect(UpdateDatasetReq.safeParse({ mountpoint: '/x' }).success).toBe(false);
  });

  it('refuses dataset names that could be read as something else on an argv', () => {
    for (const bad of ['-r', 'tank/../x', 'tank/a b', 'tank/a@snap', 'tank//a', '/tank'])
      expect(DatasetPath.safeParse(bad).success, bad).toBe(false);
  });
});

describe('network schemas', () => {
  it('reserves the apiary prefix for Apiary’s links', () => {
    expect(CreateLinkReq.safeParse({ kind: 'etherstub', name: 'apiary9' }).success).toBe(false);
    expect(CreateLinkReq.safeParse({ kind: 'vlan', name: 'lan12', over: 'e1000g0' }).success).toBe(
      false,
    );
  });

  it('checks what each kind of network needs', () => {
    expect(CreateNetworkReq.safeParse({ name: 'lan', kind: 'bridged' }).success).toBe(false);
    expect(CreateNetworkReq.safeParse({ name: 'lab', kind: 'private' }).success).toBe(false);
    expect(
      CreateNetworkReq.safeParse({ name: 'nat', kind: 'private', subnet: '10.1.0.0/24' }).success,
    ).toBe(false);
    expect(
      CreateNetworkReq.safeParse({
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g0',
        gateway: '10.0.0.1',
      }).success,
    ).toBe(false);
  });

  it('takes only a network address as a subnet', () => {
    expect(Ipv4Cidr.safeParse('192.168.12.0/24').success).toBe(true);
    expect(Ipv4Cidr.safeParse('192.168.12.7/24').success).toBe(false);
    expect(Ipv4Cidr.safeParse('10.0.0.0/31').success).toBe(false);
  });

  it('keeps networks optional on a VM, without a default that would change its spec hash', () => {
    const req = CreateVmReq.parse({ id: 'a', env_id: 'e', image: 'box' });
    expect('networks' in req).toBe(false);
    expect(
      CreateVmReq.safeParse({ id: 'a', env_id: 'e', image: 'box', networks: ['nat', 'nat'] })
        .success,
    ).toBe(false);
  });

  it('reads an inventory without networks (an older agent)', () => {
    const inv = {
      generation: 1,
      resources: { total: { cpu: 1, mem: 1, disk: 1 }, used: { cpu: 0, mem: 0, disk: 0 } },
      images: [],
      vms: [],
    };
    expect(Inventory.parse(inv).networks).toBeUndefined();
  });
});
