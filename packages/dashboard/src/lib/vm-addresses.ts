import type { Vm } from '@apiary/protocol';

/**
 * A VM's addresses per network for display (issue 14): one line per NIC, primary first; a VM
 * from a controller that reports no NICs shows its one address on nat. An address not known
 * yet (DHCP, or not reported) is null.
 */
export function vmAddresses(
  vm: Pick<Vm, 'ip' | 'nics'>,
): Array<{ network: string; ip: string | null }> {
  if (vm.nics && vm.nics.length > 0) return vm.nics;
  return [{ network: 'nat', ip: vm.ip }];
}
