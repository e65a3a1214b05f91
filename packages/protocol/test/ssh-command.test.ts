import { describe, expect, it } from 'vitest';
import { sshCommand } from '../src/index.js';

describe('sshCommand', () => {
  it("logs in as root through the VM's forwarded port 22", () => {
    expect(sshCommand({ host_addr: 'omni-a.lan', port_map: { '22': 40022, '80': 40080 } })).toBe(
      'ssh -p 40022 root@omni-a.lan',
    );
  });

  it('is null until the VM is placed and its port forwarded', () => {
    expect(sshCommand({ host_addr: null, port_map: { '22': 40022 } })).toBeNull();
    expect(sshCommand({ host_addr: 'omni-a.lan', port_map: {} })).toBeNull();
  });
});
