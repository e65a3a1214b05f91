import type { Vm } from '../schemas/vm.js';

/**
 * The command that logs into a VM: its forwarded port 22 on its host's public address, as root
 * (the agent's cloud-init gives root the environment's SSH keys). Null until the VM is placed
 * and its port is forwarded.
 */
export function sshCommand(vm: Pick<Vm, 'host_addr' | 'port_map'>): string | null {
  const port = vm.port_map['22'];
  if (port === undefined || !vm.host_addr) return null;
  return `ssh -p ${port} root@${vm.host_addr}`;
}
