import type { ControllerClient, Env, Host } from '@apiary/protocol';
import { loadHostView } from '../lib/host-names.js';

/*
 * What `apiary hosts top` and `apiary vms top` show, sorted by CPU (busiest first; what has no
 * figure yet last). Hosts come with their latest usage summary in one listing; each running
 * VM's figures are its agent's latest sample, asked through the controller.
 */

export interface HostTopRow {
  id: string;
  hostname: string;
  liveness: Host['liveness'];
  /** Host CPU busy, 0-100 (null: no summary yet). */
  cpu_percent: number | null;
  mem_used_bytes: number | null;
  mem_total_bytes: number | null;
  net_rx_bytes_per_s: number | null;
  net_tx_bytes_per_s: number | null;
  sampled_at: string | null;
  /** Reserved next to used: vCPUs and MiB, as in `hosts list`. */
  reserved: Host['capacity']['reserved'];
  total: Host['capacity']['total'];
  vm_count: number;
}

export interface VmTopRow {
  id: string;
  env_id: string;
  org_id: string;
  host_id: string | null;
  /** Its host's hostname, what the table shows (null: no host, or one the caller cannot list). */
  hostname: string | null;
  vcpus: number;
  /** CPUs' worth of time used (1.5 = one and a half CPUs). */
  cpu_used: number | null;
  /** `cpu_used / vcpus`, 0-100. */
  cpu_percent: number | null;
  net_rx_bytes_per_s: number | null;
  net_tx_bytes_per_s: number | null;
  sampled_at: string | null;
  /** Why there are no figures (the host does not answer, ...). */
  error: string | null;
}

/** Busiest first; rows without a figure last, in name order. */
function byCpu<T extends { cpu_percent: number | null; id: string }>(rows: T[]): T[] {
  return rows.sort(
    (a, b) => (b.cpu_percent ?? -1) - (a.cpu_percent ?? -1) || a.id.localeCompare(b.id, 'en'),
  );
}

export async function hostTopRows(client: ControllerClient): Promise<HostTopRow[]> {
  const rows: HostTopRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await client.listHosts({ query: { limit: 1000, offset } });
    for (const h of page.items) {
      const u = h.usage;
      rows.push({
        id: h.id,
        hostname: h.hostname,
        liveness: h.liveness,
        cpu_percent: u?.cpu_percent ?? null,
        mem_used_bytes: u?.mem_used_bytes ?? null,
        mem_total_bytes: u?.mem_total_bytes ?? null,
        net_rx_bytes_per_s: u?.net_rx_bytes_per_s ?? null,
        net_tx_bytes_per_s: u?.net_tx_bytes_per_s ?? null,
        sampled_at: u?.sampled_at ?? null,
        reserved: h.capacity.reserved,
        total: h.capacity.total,
        vm_count: h.vm_count,
      });
    }
    if (page.items.length < 1000 || rows.length >= page.total) break;
  }
  return byCpu(rows);
}

async function allEnvs(client: ControllerClient): Promise<Env[]> {
  const envs: Env[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await client.listEnvs({ query: { limit: 1000, offset } });
    envs.push(...page.items);
    if (page.items.length < 1000 || envs.length >= page.total) break;
  }
  return envs;
}

/** Stats calls in flight at once: enough to be quick, few enough to be polite. */
const PARALLEL = 8;

export async function vmTopRows(client: ControllerClient): Promise<VmTopRow[]> {
  const view = await loadHostView(client, false);
  const running = (await allEnvs(client)).flatMap((e) =>
    e.vms.filter((v) => v.state === 'running').map((v) => ({ vm: v, org: e.org_id })),
  );
  const rows: VmTopRow[] = [];
  let next = 0;
  const worker = async () => {
    while (next < running.length) {
      const { vm, org } = running[next++] as (typeof running)[number];
      const row: VmTopRow = {
        id: vm.id,
        env_id: vm.env_id,
        org_id: org,
        host_id: vm.host_id,
        hostname: vm.host_id === null ? null : (view.names.get(vm.host_id) ?? null),
        vcpus: vm.cpu,
        cpu_used: null,
        cpu_percent: null,
        net_rx_bytes_per_s: null,
        net_tx_bytes_per_s: null,
        sampled_at: null,
        error: null,
      };
      try {
        const stats = await client.vmStats(
          { params: { id: vm.id }, query: { since: '1m', step: '1m', org } },
          { retries: 0 },
        );
        const now = stats.now;
        row.cpu_used = now?.cpu.used ?? null;
        row.cpu_percent = now?.cpu.busy == null ? null : Math.round(now.cpu.busy * 1000) / 10;
        row.net_rx_bytes_per_s = now?.net.rx_bytes_per_s ?? null;
        row.net_tx_bytes_per_s = now?.net.tx_bytes_per_s ?? null;
        row.sampled_at = now?.sampled_at ?? null;
      } catch (error) {
        row.error = (error as Error).message;
      }
      rows.push(row);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, running.length) }, worker));
  return byCpu(rows);
}
