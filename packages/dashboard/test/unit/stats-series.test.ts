import type { HostStats, VmStats } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { statsQuery } from '../../src/lib/stats-range.js';
import {
  hasSamples,
  hostCpuChart,
  hostDiskChart,
  hostMemoryChart,
  hostNetworkChart,
  latest,
  toUplotData,
  vmCpuChart,
  vmNetworkChart,
} from '../../src/lib/stats-series.js';

const T = [1000, 1010, 1020];

function hostStats(history: Partial<HostStats['history']>, totalBytes?: number): HostStats {
  return {
    host_id: 'h1',
    hostname: 'omni-a',
    interval_s: 10,
    usage: null,
    now: totalBytes
      ? ({ memory: { total_bytes: totalBytes } } as unknown as HostStats['now'])
      : null,
    history: { step_s: 10, t: T, host: {}, links: {}, pools: {}, ...history },
  };
}

function vmStats(vm: Record<string, Array<number | null>>, vcpus?: number): VmStats {
  return {
    vm_id: 'web-1',
    interval_s: 10,
    now: vcpus ? ({ cpu: { vcpus } } as unknown as VmStats['now']) : null,
    history: { step_s: 10, t: T, vm },
  };
}

describe('stats shaped for uPlot', () => {
  it('puts the time axis first and each series after it, aligned', () => {
    const chart = hostCpuChart(
      hostStats({
        host: {
          cpu_busy: [0.5, null, 0.25],
          cpu_user: [0.4, null, 0.2],
          cpu_kernel: [0.1, null, 0.05],
        },
      }),
    );
    expect(chart.unit).toBe('share');
    expect(chart.max).toBe(1);
    expect(toUplotData(chart)).toEqual([T, [0.5, null, 0.25], [0.4, null, 0.2], [0.1, null, 0.05]]);
    expect(chart.series.map((s) => s.label)).toEqual(['Busy', 'User', 'Kernel']);
  });

  it('keeps gaps as null and fills a missing series with gaps, never zeros', () => {
    const chart = hostMemoryChart(hostStats({ host: { mem_used_bytes: [1, null] } }, 64));
    expect(chart.series[0]?.values).toEqual([1, null, null]);
    expect(chart.series[1]?.values).toEqual([null, null, null]);
    expect(chart.max).toBe(64);
  });

  it('gives each link an in and an out series, and each pool a read and a write series', () => {
    const stats = hostStats({
      links: {
        vioif0: { rx_bytes_per_s: [1, 2, 3], tx_bytes_per_s: [4, 5, 6] },
        apiary0: { rx_bytes_per_s: [7, 8, 9], tx_bytes_per_s: [0, 0, 0] },
      },
      pools: { rpool: { read_bytes_per_s: [10, 20, 30], write_bytes_per_s: [1, 1, 1] } },
    });
    const net = hostNetworkChart(stats);
    expect(net.unit).toBe('byte-rate');
    expect(net.series.map((s) => s.label)).toEqual([
      'apiary0 in',
      'apiary0 out',
      'vioif0 in',
      'vioif0 out',
    ]);
    expect(net.series[2]?.values).toEqual([1, 2, 3]);
    const disk = hostDiskChart(stats);
    expect(disk.series.map((s) => s.label)).toEqual(['rpool read', 'rpool write']);
    expect(disk.series[0]?.values).toEqual([10, 20, 30]);
  });

  it("charts a VM's CPU in CPUs up to its vCPUs, and its traffic in and out", () => {
    const stats = vmStats(
      { cpu_used: [1.5, 1.49, null], net_rx_bytes_per_s: [4, 4, 4], net_tx_bytes_per_s: [1, 1, 1] },
      2,
    );
    const cpu = vmCpuChart(stats);
    expect(cpu).toMatchObject({ unit: 'cpus', max: 2 });
    expect(cpu.series[0]?.values).toEqual([1.5, 1.49, null]);
    expect(vmNetworkChart(stats).series.map((s) => [s.label, s.values])).toEqual([
      ['In', [4, 4, 4]],
      ['Out', [1, 1, 1]],
    ]);
  });

  it('says a chart of gaps has no samples, and finds the newest sample', () => {
    expect(hasSamples(vmCpuChart(vmStats({ cpu_used: [null, null, null] })))).toBe(false);
    expect(hasSamples(vmCpuChart(vmStats({ cpu_used: [null, 0, null] })))).toBe(true);
    expect(hasSamples(hostNetworkChart(hostStats({})))).toBe(false);
    expect(latest([1, 2, null])).toBe(2);
    expect(latest([null, null])).toBeNull();
  });

  it('maps each range to the query the agent is asked', () => {
    expect(statsQuery('15m')).toEqual({ since: '15m' });
    expect(statsQuery('1h')).toEqual({ since: '1h' });
    expect(statsQuery('24h')).toEqual({ since: '24h', step: '5m' });
  });
});
