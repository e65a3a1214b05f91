import { describe, expect, it } from 'vitest';
import {
  allocatePrivateIps,
  overlayMac,
  vmNetworksOnAgent,
} from '../../src/services/envs/private-network.js';

describe('private network addressing', () => {
  it('hands out addresses from .10 up, skipping the ones taken', () => {
    expect(allocatePrivateIps('10.214.0.0/24', 3, new Set(['10.214.0.11']))).toEqual([
      '10.214.0.10',
      '10.214.0.12',
      '10.214.0.13',
    ]);
    expect(() => allocatePrivateIps('10.214.0.0/28', 6, new Set())).toThrow(/no 6 free/);
  });

  it('derives a locally administered MAC from the VNI and the address, as dladm prints it', () => {
    expect(overlayMac(0x0a0b0c, '10.214.0.10')).toBe('2:a:b:c:0:a');
    expect(overlayMac(4096, '10.214.1.2')).not.toBe(overlayMac(4097, '10.214.1.2'));
  });

  it('asks the agent for the environment network and the NIC, and nothing for a plain nat VM', () => {
    expect(vmNetworksOnAgent({ vni: null }, { networks: null, privateIp: null })).toEqual({});
    expect(vmNetworksOnAgent({ vni: null }, { networks: ['lan'], privateIp: null })).toEqual({
      networks: ['lan'],
    });
    expect(
      vmNetworksOnAgent({ vni: 4096 }, { networks: ['nat'], privateIp: '10.214.0.10' }),
    ).toEqual({
      networks: ['nat', 'env-4096'],
      env_nic: { mac: '2:0:10:0:0:a', ip: '10.214.0.10' },
    });
  });
});
