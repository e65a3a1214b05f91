import { describe, expect, it } from 'vitest';
import {
  datasetRequestFromForm,
  initialDatasetForm,
  initialNetworkForm,
  isApiarys,
  networkRequestFromForm,
} from '../../src/lib/host-resource-forms.js';

describe('networkRequestFromForm', () => {
  it('sends a bridged network with its VLAN as a number and the DNS as a list, nothing empty', () => {
    const result = networkRequestFromForm({
      ...initialNetworkForm(),
      name: ' lan ',
      link: 'e1000g1',
      vlan: '12',
      subnet: '192.168.12.0/24',
      dns: '192.168.12.1, 9.9.9.9',
    });
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 12,
        subnet: '192.168.12.0/24',
        dns: ['192.168.12.1', '9.9.9.9'],
      },
    });
  });

  it('refuses what the host would, on the field it belongs to', () => {
    const noLink = networkRequestFromForm({ ...initialNetworkForm(), name: 'lan' });
    expect(noLink).toEqual({
      ok: false,
      errors: { link: 'a bridged network needs the link its VMs go over' },
    });
    const badVlan = networkRequestFromForm({
      ...initialNetworkForm(),
      name: 'lan',
      link: 'e1000g1',
      vlan: 'twelve',
    });
    expect(badVlan.ok === false && badVlan.errors.vlan).toBeTruthy();
    const privateGateway = networkRequestFromForm({
      ...initialNetworkForm(),
      name: 'lab',
      kind: 'private',
      subnet: '10.9.0.0/24',
      gateway: '10.9.0.1',
    });
    expect(privateGateway).toEqual({
      ok: false,
      errors: { gateway: 'a private network has no way out' },
    });
  });
});

describe('datasetRequestFromForm', () => {
  it('reads sizes as the VM forms do and sends bytes', () => {
    const result = datasetRequestFromForm({
      ...initialDatasetForm('rpool'),
      name: 'rpool/vol',
      type: 'volume',
      size: '2G',
      quota: '',
      compression: 'lz4',
    });
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'rpool/vol',
        type: 'volume',
        size: 2 * 1024 ** 3,
        properties: { compression: 'lz4' },
      },
    });
  });

  it('refuses a bad size, a volume without one and an unknown compression', () => {
    const badSize = datasetRequestFromForm({
      ...initialDatasetForm('rpool'),
      name: 'rpool/a',
      quota: '2X',
    });
    expect(badSize.ok === false && badSize.errors.quota).toMatch(/^invalid size "2X"/);
    const noSize = datasetRequestFromForm({
      ...initialDatasetForm('rpool'),
      name: 'rpool/v',
      type: 'volume',
    });
    expect(noSize).toEqual({ ok: false, errors: { size: 'a volume needs a size' } });
    const zstd = datasetRequestFromForm({
      ...initialDatasetForm('rpool'),
      name: 'rpool/a',
      compression: 'zstd',
    });
    expect(zstd.ok === false && zstd.errors.compression).toMatch(/^must be one of on, off/);
  });

  it('marks only Apiary’s datasets as not to be deleted', () => {
    expect(isApiarys({ owner: 'apiary' })).toBe(true);
    expect(isApiarys({ owner: 'api' })).toBe(false);
    expect(isApiarys({ owner: 'host' })).toBe(false);
  });
});
