import { Counter, Gauge, type Registry } from 'prom-client';
import type { StatsSampler } from './stats-sampler.js';
import { CPU_MODES } from './usage-totals.js';

/*
 * The sampled usage at `/metrics`, read at scrape time from what the sampler kept (never a
 * host command). Levels are gauges; everything that accumulates is a counter fed from the
 * agent's wrap- and reset-safe running totals (usage-totals.ts), named like node_exporter's
 * (`*_seconds_total`, `*_bytes_total`). Every series has a `host` label (the host id); links,
 * pools and VMs have theirs. A VM's VNIC is a link with a `vm` label.
 */

const NS_PER_S = 1e9;

export function registerUsageMetrics(
  registry: Registry,
  sampler: StatsSampler,
  host: () => string,
) {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number | null | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['host'] as const,
      registers,
      collect() {
        this.reset();
        const v = read();
        if (v !== null && v !== undefined) this.set({ host: host() }, v);
      },
    });
  const now = () => sampler.current()?.host;
  gauge(
    'apiary_agent_usage_sample_timestamp_seconds',
    'When the last usage sample was taken (kstat), in unix seconds.',
    () => {
      const at = now()?.sampled_at;
      return at ? Date.parse(at) / 1000 : null;
    },
  );
  gauge(
    'apiary_agent_host_cpu_busy_ratio',
    'Share of all CPUs busy over the last sample interval.',
    () => now()?.cpu.busy,
  );
  gauge(
    'apiary_agent_host_load1',
    'Run queue average over 1 minute (avenrun_1min).',
    () => now()?.load?.avg_1m,
  );
  gauge(
    'apiary_agent_host_load5',
    'Run queue average over 5 minutes (avenrun_5min).',
    () => now()?.load?.avg_5m,
  );
  gauge(
    'apiary_agent_host_load15',
    'Run queue average over 15 minutes (avenrun_15min).',
    () => now()?.load?.avg_15m,
  );
  gauge(
    'apiary_agent_host_memory_physical_bytes',
    'Physical memory (physmem).',
    () => now()?.memory.total_bytes,
  );
  gauge(
    'apiary_agent_host_memory_free_bytes',
    'Free memory (freemem).',
    () => now()?.memory.free_bytes,
  );
  gauge('apiary_agent_host_memory_arc_bytes', 'ZFS ARC size.', () => now()?.memory.arc_bytes);
  gauge(
    'apiary_agent_host_memory_vm_bytes',
    'Guest memory of all running VMs (vmm_reservoir).',
    () => now()?.memory.vm_bytes,
  );
  gauge(
    'apiary_agent_host_swap_reserved_bytes',
    'Swap reserved, averaged over the last interval.',
    () => now()?.swap?.reserved_bytes,
  );
  gauge(
    'apiary_agent_host_swap_allocated_bytes',
    'Swap allocated, averaged over the last interval.',
    () => now()?.swap?.allocated_bytes,
  );
  gauge(
    'apiary_agent_host_swap_available_bytes',
    'Swap available, averaged over the last interval.',
    () => now()?.swap?.available_bytes,
  );

  new Gauge({
    name: 'apiary_agent_vm_memory_configured_bytes',
    help: 'Memory a VM was given (illumos has no kstat of a bhyve VM resident memory).',
    labelNames: ['host', 'vm'] as const,
    registers,
    collect() {
      this.reset();
      for (const [vm, u] of sampler.current()?.vms ?? []) {
        this.set({ host: host(), vm }, u.memory.configured_bytes);
      }
    },
  });
  new Counter({
    name: 'apiary_agent_host_cpu_seconds_total',
    help: 'CPU time by CPU and mode (user, kernel, idle) since the agent started.',
    labelNames: ['host', 'cpu', 'mode'] as const,
    registers,
    collect() {
      this.reset();
      for (const [cpu, t] of sampler.totals.cpus) {
        for (const mode of CPU_MODES) {
          this.inc({ host: host(), cpu: String(cpu), mode }, Number(t[mode]) / NS_PER_S);
        }
      }
    },
  });
  new Counter({
    name: 'apiary_agent_vm_cpu_seconds_total',
    help: "CPU time of a VM's zone since the agent started.",
    labelNames: ['host', 'vm'] as const,
    registers,
    collect() {
      this.reset();
      for (const [vm, ns] of sampler.totals.vmCpuNs) {
        this.inc({ host: host(), vm }, Number(ns) / NS_PER_S);
      }
    },
  });
  registerDeviceCounters(registry, sampler, host);
}

const LINK_METRICS = [
  ['receive_bytes', 'rxBytes', 'Bytes received'],
  ['transmit_bytes', 'txBytes', 'Bytes sent'],
  ['receive_packets', 'rxPackets', 'Packets received'],
  ['transmit_packets', 'txPackets', 'Packets sent'],
  ['receive_errors', 'rxErrors', 'Receive errors'],
  ['transmit_errors', 'txErrors', 'Transmit errors'],
] as const;

const POOL_METRICS = [
  ['read_bytes', 'readBytes', 'Bytes read'],
  ['written_bytes', 'writeBytes', 'Bytes written'],
  ['reads', 'reads', 'Read operations'],
  ['writes', 'writes', 'Write operations'],
] as const;

function registerDeviceCounters(registry: Registry, sampler: StatsSampler, host: () => string) {
  const registers = [registry];
  for (const [suffix, key, what] of LINK_METRICS) {
    new Counter({
      name: `apiary_agent_link_${suffix}_total`,
      help: `${what} on a datalink since the agent started (a VM's VNIC has a vm label).`,
      labelNames: ['host', 'link', 'vm'] as const,
      registers,
      collect() {
        this.reset();
        const owner = new Map(sampler.current()?.host.links.map((l) => [l.link, l.vm_id]) ?? []);
        for (const [link, t] of sampler.totals.links) {
          const vm = owner.get(link);
          const labels = vm ? { host: host(), link, vm } : { host: host(), link };
          this.inc(labels, Number(t[key]));
        }
      },
    });
  }
  for (const [suffix, key, what] of POOL_METRICS) {
    new Counter({
      name: `apiary_agent_pool_${suffix}_total`,
      help: `${what} by a pool's vdevs since the agent started.`,
      labelNames: ['host', 'pool'] as const,
      registers,
      collect() {
        this.reset();
        for (const [pool, t] of sampler.totals.pools)
          this.inc({ host: host(), pool }, Number(t[key]));
      },
    });
  }
}
