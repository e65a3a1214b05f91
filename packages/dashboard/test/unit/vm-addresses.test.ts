import { describe, expect, it } from 'vitest';
import { vmAddresses } from '../../src/lib/vm-addresses.js';

describe('vmAddresses', () => {
  it('lists every network with its address, primary first', () => {
    const nics = [
      { network: 'lan', ip: '192.168.12.100' },
      { network: 'nat', ip: '10.213.0.2' },
      { network: 'private', ip: '10.214.0.10' },
    ];
    expect(vmAddresses({ ip: '192.168.12.100', nics })).toEqual(nics);
  });

  it('shows the nat address of a VM whose controller reports no NICs', () => {
    expect(vmAddresses({ ip: '10.213.0.5' })).toEqual([{ network: 'nat', ip: '10.213.0.5' }]);
    expect(vmAddresses({ ip: null, nics: [] })).toEqual([{ network: 'nat', ip: null }]);
  });
});
