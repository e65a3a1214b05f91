import { describe, expect, it } from 'vitest';
import { createLayout, parseSubnet } from '../src/host/layout.js';
import { LinkName, ZoneName } from '../src/host/names.js';

const layout = createLayout({
  pool: 'rpool',
  zonesDir: '/zones',
  hostRoot: '/sim/root',
  natSubnet: '10.213.0.0/16',
  externalLink: 'e1000g0',
});

describe('layout', () => {
  it('puts the gateway on the first address and VMs after it', () => {
    expect(layout.subnet.gateway).toBe('10.213.0.1');
    expect(layout.ip(1)).toBe('10.213.0.2');
    expect(layout.ip(254)).toBe('10.213.0.255');
    expect(layout.ip(255)).toBe('10.213.1.0');
    expect(layout.ip(layout.subnet.maxSlot)).toBe('10.213.255.254');
  });

  it('never hands out the network, gateway or broadcast address', () => {
    expect(() => layout.ip(0)).toThrow(RangeError);
    expect(() => layout.ip(layout.subnet.maxSlot + 1)).toThrow(RangeError);
    const small = parseSubnet('192.168.7.0/29');
    expect(small.maxSlot).toBe(5);
  });

  it('normalizes a subnet given with host bits', () => {
    expect(parseSubnet('10.1.2.3/16').cidr).toBe('10.1.0.0/16');
  });

  it('names VNICs validly for every slot (end in a digit, <= 15 characters)', () => {
    for (const slot of [1, 9, 10, 65533]) {
      const name = layout.vnic(slot);
      expect(LinkName.safeParse(name).success).toBe(true);
      expect(name.length).toBeLessThanOrEqual(15);
    }
    expect(LinkName.safeParse(layout.etherstub).success).toBe(true);
    expect(LinkName.safeParse(layout.gatewayLink).success).toBe(true);
  });

  it('places datasets, zonepaths and host files', () => {
    expect(layout.vmDisk('env-1')).toBe('rpool/apiary/vms/env-1/disk0');
    expect(layout.imageSnapshot('ab')).toBe('rpool/apiary/images/ab@base');
    expect(layout.zonepath('env-1')).toBe('/zones/env-1');
    expect(layout.real(layout.userDataPath('env-1'))).toBe(
      '/sim/root/var/apiary/cloud-init/env-1/user-data',
    );
    expect(layout.ipfConfPath('env-1')).toBe('/zones/env-1/etc/ipf.conf');
    expect(ZoneName.safeParse('env-1').success).toBe(true);
  });
});

describe('VM NIC names', () => {
  it('names NIC idx of a slot and recognises only that slot’s', () => {
    expect(layout.vmNic(3, 2)).toBe('apiary3n2');
    expect(layout.vnic(3)).toBe(layout.vmNic(3, 0));
    expect(layout.isVmNicOf(3, 'apiary3n2')).toBe(true);
    expect(layout.isVmNicOf(3, 'apiary33n0')).toBe(false);
    expect(layout.isVmNicOf(3, 'apiarystub0')).toBe(false);
  });
});
