import type { VmRow } from '../envs/env-view.js';

/*
 * What a VM joins besides the nat network. The agents' clone and migration make a VM's primary
 * NIC only (the migration spec carries one MAC, a clone request no networks), so a clone or a
 * move of a VM on other networks would leave it cut off them: both are refused, naming these,
 * until the agents carry every NIC.
 */
export function networksBeyondNat(
  vm: Pick<VmRow, 'networks' | 'privateIp'>,
  envHasPrivateNetwork: boolean,
): string[] {
  const named = (vm.networks ?? ['nat']).filter((n) => n !== 'nat' && !n.startsWith('env-'));
  const privateToo = envHasPrivateNetwork || vm.privateIp !== null;
  return privateToo ? [...named, "its environment's private network"] : named;
}
