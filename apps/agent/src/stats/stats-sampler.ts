import type { HostUsage, UsageSummary, VmUsage } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { HostExec } from '../host/exec.js';
import { readKstats } from '../host/kstat.js';
import { readPageSize } from '../host/pagesize.js';
import {
  groupName,
  HOST_FIELDS,
  hostRow,
  LINK_FIELDS,
  linkRow,
  POOL_FIELDS,
  poolRow,
  VM_FIELDS,
  vmRow,
} from './history-rows.js';
import { hostFigures } from './host-usage.js';
import { SAMPLE_SELECTORS } from './kstat-selectors.js';
import { type RawSample, toRawSample } from './raw-sample.js';
import { UsageHistory } from './usage-history.js';
import { summarize } from './usage-reporter.js';
import { UsageTotals } from './usage-totals.js';
import { allVmFigures, type VmSubject } from './vm-usage.js';

/*
 * The usage sampler: every interval, ONE `kstat -p` call (plus `pagesize` once, at the first
 * sample) whatever the number of VMs; rates from the previous sample; the result kept as the
 * current usage, added to the bounded history and to the running totals. Requests and
 * `/metrics` read what it kept and never wait on a host command.
 */

export interface StatsSamplerDeps {
  exec: HostExec;
  log: Logger;
  /** Milliseconds between samples; 0 turns sampling off (the API then has no figures). */
  intervalMs: number;
  /** The agent's VMs, from its database (no host command). */
  vms: () => VmSubject[];
  /** Pool holding the VMs' disks. */
  pool: string;
  externalLink: string;
}

export interface UsageNow {
  host: HostUsage;
  vms: Map<string, VmUsage>;
  summary: UsageSummary | null;
}

export class StatsSampler {
  readonly history: UsageHistory;
  readonly totals = new UsageTotals();
  private prev: RawSample | null = null;
  private pagesize: number | null = null;
  private latest: UsageNow | null = null;
  private inflight: Promise<UsageNow> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private failing = false;

  constructor(private readonly deps: StatsSamplerDeps) {
    this.history = new UsageHistory({ fineStepS: Math.max(1, deps.intervalMs / 1000) });
  }

  /** Seconds between samples as configured. */
  get intervalS(): number {
    return this.deps.intervalMs / 1000;
  }

  /** The last sample's figures (null before the first). */
  current(): UsageNow | null {
    return this.latest;
  }

  /** Take a sample now (one at a time: a caller during a sample gets that sample). */
  sample(): Promise<UsageNow> {
    this.inflight ??= this.take().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Take the first sample now, then one every interval (nothing when sampling is off). */
  async start(): Promise<void> {
    if (this.deps.intervalMs <= 0 || this.running) return;
    this.running = true;
    await this.sampleLogged();
    if (this.running) this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.sampleLogged().finally(() => {
        if (this.running) this.schedule();
      });
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  private async sampleLogged(): Promise<void> {
    try {
      await this.sample();
      if (this.failing) this.deps.log.info('usage sampling works again');
      this.failing = false;
    } catch (error) {
      // One warning per failing streak: a host without kstat must not flood the log.
      if (!this.failing) this.deps.log.warn({ error }, 'usage sample failed');
      this.failing = true;
    }
  }

  private async take(): Promise<UsageNow> {
    const { exec, pool } = this.deps;
    this.pagesize ??= await readPageSize(exec);
    const cur = toRawSample(await readKstats(exec, SAMPLE_SELECTORS), Date.now());
    const prev = this.prev;
    const vms = this.deps.vms();
    const ids = new Set(vms.map((v) => v.id));
    const vnicOwner = new Map(vms.flatMap((vm) => vm.vnics.map((n) => [n, vm.id] as const)));
    const host = hostFigures(prev, cur, {
      pagesize: this.pagesize,
      vmOfLink: (link, zone) => (ids.has(zone) ? zone : (vnicOwner.get(link) ?? null)),
    });
    const { usage: vmUsage, cpuNs: vmCpuNs } = allVmFigures(
      { prev, cur, sampledAt: host.usage.sampled_at, intervalS: host.usage.interval_s, pool },
      vms,
      host.usage.links,
    );
    this.totals.add({
      cpus: host.cpuAdvances,
      cpuIds: [...cur.cpus.keys()],
      links: host.links,
      pools: host.pools,
      vmCpuNs,
    });
    this.record(Math.floor(cur.at / 1000), host.usage, vmUsage);
    this.prev = cur;
    this.latest = {
      host: host.usage,
      vms: vmUsage,
      summary: summarize(host.usage, this.deps.externalLink),
    };
    return this.latest;
  }

  private record(t: number, host: HostUsage, vms: Map<string, VmUsage>): void {
    const h = this.history;
    const live = new Set<string>([groupName.host]);
    h.record(groupName.host, HOST_FIELDS, t, hostRow(host));
    for (const link of host.links) {
      if (link.vm_id !== null) continue;
      live.add(groupName.link(link.link));
      h.record(groupName.link(link.link), LINK_FIELDS, t, linkRow(link));
    }
    for (const p of host.pools) {
      live.add(groupName.pool(p.pool));
      h.record(groupName.pool(p.pool), POOL_FIELDS, t, poolRow(p));
    }
    for (const [id, usage] of vms) {
      live.add(groupName.vm(id));
      h.record(groupName.vm(id), VM_FIELDS, t, vmRow(usage));
    }
    // What is gone takes its history with it: memory follows what the host has now.
    h.retain((g) => live.has(g));
  }
}
