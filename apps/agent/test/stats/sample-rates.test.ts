import { silentLogger } from '@apiary/server-kit';
import { describe, expect, it } from 'vitest';
import type { HostCommand, HostExec } from '../../src/host/exec.js';
import { StatsSampler } from '../../src/stats/stats-sampler.js';

/*
 * The sampler on literal `kstat -p` output (a fake command layer), for the cases a simulated
 * host cannot reach in a test's time: a 32-bit counter wrapping at 2^32, a 64-bit counter that
 * went down without its kstat being recreated, a zone rebooted between two samples.
 */

const s = (seconds: number) => seconds.toFixed(9);

interface Reading {
  snap: number;
  poolReads: bigint;
  ierrors: bigint;
  rbytes: bigint;
  zone: { id: number; crtime: number; nsec: bigint } | null;
}

function kstatText(r: Reading): string {
  const stamp = (key: string, crtime = 4.812305117) => [
    `${key}:crtime\t${s(crtime)}`,
    `${key}:snaptime\t${s(r.snap)}`,
  ];
  const lines = [
    'cpu:0:sys:cpu_nsec_idle\t' + String(BigInt(Math.round(r.snap * 1e9 * 0.75))),
    'cpu:0:sys:cpu_nsec_kernel\t' + String(BigInt(Math.round(r.snap * 1e9 * 0.25))),
    'cpu:0:sys:cpu_nsec_user\t0',
    ...stamp('cpu:0:sys'),
    'unix:0:system_pages:physmem\t1000',
    'unix:0:system_pages:freemem\t400',
    'zfs:0:rpool:nread\t0',
    'zfs:0:rpool:nwritten\t0',
    `zfs:0:rpool:reads\t${r.poolReads}`,
    'zfs:0:rpool:writes\t0',
    ...stamp('zfs:0:rpool'),
    'link:0:e1000g0:ierrors\t' + String(r.ierrors),
    'link:0:e1000g0:oerrors\t0',
    'link:0:e1000g0:ipackets64\t0',
    'link:0:e1000g0:opackets64\t0',
    `link:0:e1000g0:rbytes64\t${r.rbytes}`,
    'link:0:e1000g0:obytes64\t0',
    'link:0:e1000g0:zonename\tglobal',
    ...stamp('link:0:e1000g0'),
  ];
  if (r.zone) {
    const key = `zones:${r.zone.id}:vm1`;
    lines.push(
      `${key}:nsec_sys\t${r.zone.nsec}`,
      `${key}:nsec_user\t0`,
      `${key}:zonename\tvm1`,
      ...stamp(key, r.zone.crtime),
    );
  }
  return `${lines.join('\n')}\n`;
}

function fakeHost(readings: Reading[]) {
  let next = 0;
  const exec: HostExec = {
    async run(command: HostCommand) {
      const stdout = command === 'pagesize' ? '4096\n' : kstatText(readings[next++] as Reading);
      return { argv: [command], exitCode: 0, stdout, stderr: '', durationMs: 1 };
    },
    pipe: () => Promise.reject(new Error('no pipes here')),
    resolve: (command) => [command],
  };
  return new StatsSampler({
    exec,
    log: silentLogger(),
    intervalMs: 10_000,
    vms: () => [{ id: 'vm1', vcpus: 2, memBytes: 2 ** 30, vnics: [] }],
    pool: 'rpool',
    externalLink: 'e1000g0',
  });
}

const reading = (over: Partial<Reading>): Reading => ({
  snap: 100,
  poolReads: 0n,
  ierrors: 0n,
  rbytes: 0n,
  zone: { id: 5, crtime: 50, nsec: 0n },
  ...over,
});

describe('rates from two samples', () => {
  it('reads a 32-bit counter that wrapped as the events since the last sample', async () => {
    const sampler = fakeHost([
      reading({ snap: 100, poolReads: 4_294_967_000n, ierrors: 4_294_967_295n }),
      reading({ snap: 110, poolReads: 200n, ierrors: 4n }),
    ]);
    await sampler.sample();
    const now = await sampler.sample();
    expect(now.host.pools[0]?.reads_per_s).toBeCloseTo(49.6, 9);
    expect(now.host.links[0]?.rx_errors_per_s).toBeCloseTo(0.5, 9);
    expect(sampler.totals.pools.get('rpool')?.reads).toBe(496n);
  });

  it('has no rate for a 64-bit counter that went down in the same kstat (not a huge one)', async () => {
    const sampler = fakeHost([
      reading({ snap: 100, rbytes: 10_000_000n }),
      reading({ snap: 110, rbytes: 5_000n }),
    ]);
    await sampler.sample();
    const now = await sampler.sample();
    expect(now.host.links[0]?.rx_bytes_per_s).toBeNull();
    expect(sampler.totals.links.get('e1000g0')?.rxBytes).toBe(0n);
  });

  it('measures a zone rebooted between samples from its new boot, never negative', async () => {
    const sampler = fakeHost([
      reading({ snap: 100, zone: { id: 5, crtime: 50, nsec: 40_000_000_000n } }),
      // Halted and booted again at 104 s under a new zone id: its kstat counts from zero.
      reading({ snap: 110, zone: { id: 6, crtime: 104, nsec: 3_000_000_000n } }),
    ]);
    await sampler.sample();
    const now = await sampler.sample();
    const vm = now.vms.get('vm1');
    expect(vm?.running).toBe(true);
    expect(vm?.cpu.used).toBeCloseTo(0.5, 9);
    expect(vm?.cpu.busy).toBeCloseTo(0.25, 9);
    expect(sampler.totals.vmCpuNs.get('vm1')).toBe(3_000_000_000n);
  });

  it('reports a halted VM as using no CPU, and the host CPU from the CPU kstats', async () => {
    const sampler = fakeHost([reading({ snap: 100 }), reading({ snap: 110, zone: null })]);
    await sampler.sample();
    const now = await sampler.sample();
    expect(now.vms.get('vm1')).toMatchObject({ running: false, cpu: { used: 0, busy: 0 } });
    expect(now.host.cpu.busy).toBeCloseTo(0.25, 9);
    expect(now.host.memory).toMatchObject({ total_bytes: 4096_000, free_bytes: 1638_400 });
    expect(now.summary).toMatchObject({ cpu_percent: 25, mem_used_bytes: 4096 * 600 });
  });
});
