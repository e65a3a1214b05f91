import { describe, expect, it } from 'vitest';
import { vmAccessLine } from '../src/vm-access.js';

describe('how the dev fleet tells a user to reach a VM', () => {
  it('gives the ssh command on the host address and a URL for each other forward', () => {
    expect(
      vmAccessLine({
        id: 'demo-0',
        host_addr: '127.0.0.3',
        port_map: { '22': 40002, '80': 40003 },
      }),
    ).toBe('demo-0 is running: ssh -p 40002 root@127.0.0.3\n  port 80: http://127.0.0.3:40003/');
  });

  it('says nothing for a VM without an address or an SSH forward', () => {
    expect(vmAccessLine({ id: 'a-0', host_addr: null, port_map: { '22': 40000 } })).toBeUndefined();
    expect(vmAccessLine({ id: 'a-0', host_addr: '127.0.0.2', port_map: {} })).toBeUndefined();
  });
});
