import { describe, expect, it } from 'vitest';
import { networksBeyondNat } from '../../src/services/vm-changes/nat-only.js';

describe('what a VM joins besides nat (what a move or a clone would cut it off)', () => {
  it('is nothing for a plain nat VM', () => {
    expect(networksBeyondNat({ networks: null, privateIp: null }, false)).toEqual([]);
    expect(networksBeyondNat({ networks: ['nat'], privateIp: null }, false)).toEqual([]);
  });

  it('names the other networks, and the private network by what it is', () => {
    expect(networksBeyondNat({ networks: ['nat', 'lab'], privateIp: null }, false)).toEqual([
      'lab',
    ]);
    expect(
      networksBeyondNat({ networks: ['nat', 'env-4096'], privateIp: '10.214.0.3' }, false),
    ).toEqual(["its environment's private network"]);
    // A clone into an environment with a private network would need it too.
    expect(networksBeyondNat({ networks: ['nat'], privateIp: null }, true)).toEqual([
      "its environment's private network",
    ]);
  });
});
