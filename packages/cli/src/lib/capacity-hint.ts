import {
  ApiError,
  type ControllerClient,
  type CreateEnvReqInput,
  formatMiB,
  type Host,
  InsufficientCapacityDetails,
  VM_LIMITS,
} from '@apiary/protocol';
import { HintedError } from './errors.js';

/** What one VM asks of a host: vCPUs and MiB, as placement counts them. */
export interface VmNeed {
  cpu: number;
  mem: number;
  disk: number;
}

/** The VM a refused request could not place, with the schema's defaults filled in. */
export function needOf(request: CreateEnvReqInput, index: number): VmNeed | undefined {
  const vm = request.vms?.[index];
  if (!vm) return undefined;
  return {
    cpu: vm.cpu ?? VM_LIMITS.cpu.default,
    mem: vm.mem ?? VM_LIMITS.mem.default,
    disk: vm.disk ?? VM_LIMITS.disk.default,
  };
}

/**
 * When no host could ever take the VM, even empty (it is larger than every host's total), the
 * advice to free capacity would not help: say so, with the largest host's size. Null when some
 * host is large enough and capacity is only in use.
 */
export function neverFitsHint(need: VmNeed, hosts: Host[]): string | null {
  if (hosts.length === 0) return null;
  const fits = (h: Host) =>
    h.capacity.total.cpu >= need.cpu &&
    h.capacity.total.mem >= need.mem &&
    h.capacity.total.disk >= need.disk;
  if (hosts.some(fits)) return null;
  const most = (pick: (h: Host) => number) => Math.max(...hosts.map(pick));
  return (
    `no host could ever fit this VM (${need.cpu} vCPUs, ${formatMiB(need.mem)} memory, ` +
    `${formatMiB(need.disk)} disk), even empty: the largest have ${most((h) => h.capacity.total.cpu)} vCPUs, ` +
    `${formatMiB(most((h) => h.capacity.total.mem))} memory, ${formatMiB(most((h) => h.capacity.total.disk))} disk; ` +
    'ask for less (--cpu, --mem, --disk) or add a larger host'
  );
}

/**
 * `envs create` refused for capacity: when the VM could never fit, the generic "free capacity
 * with apiary envs delete" is replaced by that fact. Any other failure passes unchanged.
 */
export async function withCapacityAdvice<T>(
  client: ControllerClient,
  request: CreateEnvReqInput,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'insufficient_capacity')) throw error;
    const refusal = InsufficientCapacityDetails.safeParse(error.details);
    const need = refusal.success ? needOf(request, refusal.data.vm_index) : undefined;
    if (!need) throw error;
    let hosts: Host[];
    try {
      hosts = (await client.listHosts({ query: { limit: 1000 } })).items;
    } catch {
      throw error;
    }
    const hint = neverFitsHint(need, hosts);
    throw hint ? new HintedError(error, hint) : error;
  }
}
