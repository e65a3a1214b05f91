import type { HostUsage, LinkUsage, PoolUsage, VmUsage } from '@apiary/protocol';

/*
 * What of a sample goes into history, group by group, and the names its series have in the
 * API (`GET /api/stats`, `GET /api/vms/{id}/stats`). A VM's VNICs are in the VM's group, not
 * among the host's links, so each byte is kept once.
 */

export const HOST_FIELDS = [
  'cpu_busy',
  'cpu_user',
  'cpu_kernel',
  'load_1m',
  'load_5m',
  'load_15m',
  'mem_used_bytes',
  'mem_free_bytes',
  'mem_arc_bytes',
  'mem_vm_bytes',
  'swap_reserved_bytes',
  'swap_allocated_bytes',
  'swap_available_bytes',
  'swap_free_bytes',
] as const;

export const LINK_FIELDS = [
  'rx_bytes_per_s',
  'tx_bytes_per_s',
  'rx_packets_per_s',
  'tx_packets_per_s',
  'rx_errors_per_s',
  'tx_errors_per_s',
] as const;

export const POOL_FIELDS = [
  'read_bytes_per_s',
  'write_bytes_per_s',
  'reads_per_s',
  'writes_per_s',
] as const;

export const VM_FIELDS = [
  'cpu_used',
  'cpu_busy',
  'net_rx_bytes_per_s',
  'net_tx_bytes_per_s',
  'net_rx_packets_per_s',
  'net_tx_packets_per_s',
] as const;

export const groupName = {
  host: 'host',
  link: (name: string) => `link:${name}`,
  pool: (name: string) => `pool:${name}`,
  vm: (id: string) => `vm:${id}`,
} as const;

export function hostRow(h: HostUsage): Array<number | null> {
  return [
    h.cpu.busy,
    h.cpu.user,
    h.cpu.kernel,
    h.load?.avg_1m ?? null,
    h.load?.avg_5m ?? null,
    h.load?.avg_15m ?? null,
    h.memory.used_bytes,
    h.memory.free_bytes,
    h.memory.arc_bytes,
    h.memory.vm_bytes,
    h.swap?.reserved_bytes ?? null,
    h.swap?.allocated_bytes ?? null,
    h.swap?.available_bytes ?? null,
    h.swap?.free_bytes ?? null,
  ];
}

export const linkRow = (l: LinkUsage) => LINK_FIELDS.map((f) => l[f]);
export const poolRow = (p: PoolUsage) => POOL_FIELDS.map((f) => p[f]);

export function vmRow(v: VmUsage): Array<number | null> {
  return [
    v.cpu.used,
    v.cpu.busy,
    v.net.rx_bytes_per_s,
    v.net.tx_bytes_per_s,
    v.net.rx_packets_per_s,
    v.net.tx_packets_per_s,
  ];
}
