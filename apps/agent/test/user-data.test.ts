import { describe, expect, it } from 'vitest';
import { renderUserData } from '../src/vms/zone-spec.js';

/*
 * The generated cloud-init user-data (issue 16): the user an image names (`default_user`) or
 * the VM names gets the environment's SSH keys, beside the distribution's default user and root.
 */

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a@b';

describe('cloud-init user-data', () => {
  it('creates the named user with the SSH keys, passwordless sudo and a locked password', () => {
    const data = renderUserData('web-1', [KEY], 'debian');
    expect(data).toContain(
      [
        'users:',
        '  - default',
        '  - name: "debian"',
        "    sudo: 'ALL=(ALL) NOPASSWD:ALL'",
        '    shell: /bin/sh',
        '    lock_passwd: true',
        '    ssh_authorized_keys:',
        `      - ${JSON.stringify(KEY)}`,
        '  - name: root',
        '    ssh_authorized_keys:',
        `      - ${JSON.stringify(KEY)}`,
      ].join('\n'),
    );
    expect(data).toContain("growpart:\n  mode: auto\n  devices: ['/']\nresize_rootfs: true");
  });

  it('names no user when neither the VM nor its image does', () => {
    const data = renderUserData('web-1', [KEY], null);
    expect(data).not.toContain('lock_passwd');
    expect(data).toContain('users:\n  - default\n  - name: root\n');
  });
});
