import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readState } from '../src/core/state-store.js';
import type { HostState } from '../src/core/state-types.js';
import { kstatChain } from '../src/sys/kstat-chain.js';
import { clearLoad, LoadError, setLoad } from '../src/sys/load-api.js';
import { IDLE_BASELINE } from '../src/sys/load-state.js';
import { makeZone, newHost, ok, run } from './helpers.js';

/**
 * The load model behind kstat: counters follow wall-clock time while a zone runs (the clock is
 * faked so samples are exact), a reader's rates from two samples match what was set, stopped
 * zones stop counting, and the kernel's counter widths are kept.
 */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const M = 1024 * 1024;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** `kstat -p` as a map of `module:instance:name:statistic` to value. */
async function sample(root: string, ...operands: string[]): Promise<Map<string, string>> {
  const r = await run(root, ['kstat', '-p', ...operands]);
  return new Map(
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]),
  );
}

function num(s: Map<string, string>, key: string): number {
  const v = s.get(key);
  if (v === undefined) throw new Error(`no ${key} in ${[...s.keys()].join(' ')}`);
  return Number(v);
}

/** Sum over every key matching `re`. */
function sum(s: Map<string, string>, re: RegExp): number {
  let total = 0;
  for (const [k, v] of s) if (re.test(k)) total += Number(v);
  return total;
}

/** What a monitoring reader does: delta of a counter over delta of snaptime. */
function rate(a: Map<string, string>, b: Map<string, string>, key: string, snap: string) {
  return (num(b, key) - num(a, key)) / (num(b, snap) - num(a, snap));
}

async function loadedVm(): Promise<{ root: string; id: number }> {
  const root = newHost({ cpus: 4, ram: '8G' });
  await makeZone(
    root,
    'vm1',
    true,
    'add attr\nset name=vcpus\nset type=string\nset value=2\nend\n',
  );
  await setLoad(root, 'vm1', {
    cpu: 0.5,
    mem: 512 * M,
    netRx: 1 * M,
    netTx: 200 * 1024,
    diskRead: 5 * M,
    diskWrite: 1 * M,
  });
  const id = readState(root).zones.find((z) => z.name === 'vm1')!.zoneid!;
  return { root, id };
}

const within1 = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected) / expected).toBeLessThan(0.01);

describe('load model', () => {
  it('gives a reader the set rates from two samples taken seconds apart', async () => {
    const { root, id } = await loadedVm();
    const selectors = [`zones:${id}:vm1`, 'link:0:', 'zfs:0:rpool', 'cpu::sys', `vmm:${id}:`];
    vi.setSystemTime(T0 + 5_000);
    const a = await sample(root, ...selectors);
    vi.setSystemTime(T0 + 17_000);
    const b = await sample(root, ...selectors);
    const zone = (k: string) => `zones:${id}:vm1:${k}`;
    const zoneCpu =
      rate(a, b, zone('nsec_user'), zone('snaptime')) +
      rate(a, b, zone('nsec_sys'), zone('snaptime'));
    within1(zoneCpu, 0.5e9);
    within1(rate(a, b, 'link:0:vm1net0:rbytes64', 'link:0:vm1net0:snaptime'), M);
    within1(rate(a, b, 'link:0:vm1net0:obytes64', 'link:0:vm1net0:snaptime'), 200 * 1024);
    within1(rate(a, b, 'link:0:vm1net0:ipackets64', 'link:0:vm1net0:snaptime'), M / 1000);
    within1(rate(a, b, 'zfs:0:rpool:nread', 'zfs:0:rpool:snaptime'), 5 * M);
    // host totals: the zone plus the idle baseline
    within1(
      rate(a, b, 'link:0:e1000g0:rbytes64', 'link:0:e1000g0:snaptime'),
      M + IDLE_BASELINE.linkRx,
    );
    within1(
      rate(a, b, 'zfs:0:rpool:nwritten', 'zfs:0:rpool:snaptime'),
      M + IDLE_BASELINE.poolWrite,
    );
    const busy = (s: Map<string, string>) => sum(s, /^cpu:\d+:sys:cpu_nsec_(user|kernel)$/);
    within1((busy(b) - busy(a)) / 12, 0.5e9 + IDLE_BASELINE.cpu * 1e9);
    const idle = (s: Map<string, string>) => sum(s, /^cpu:\d+:sys:cpu_nsec_idle$/);
    within1((idle(b) - idle(a)) / 12, (4 - 0.5 - IDLE_BASELINE.cpu) * 1e9);
    const guest = (s: Map<string, string>) => sum(s, /^vmm:\d+:vcpu\d+:time_(run|emu_user)$/);
    within1((guest(b) - guest(a)) / 12, 0.5e9);
  });

  it('keeps counting between calls from the wall clock alone, with no process running', async () => {
    vi.useRealTimers();
    const { root } = await loadedVm();
    const a = await sample(root, 'link:0:vm1net0');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const b = await sample(root, 'link:0:vm1net0');
    within1(rate(a, b, 'link:0:vm1net0:rbytes64', 'link:0:vm1net0:snaptime'), M);
  });

  it('shows guest memory in free memory and the vmm reservoir, and the load averages', async () => {
    const { root, id } = await loadedVm();
    const pages = readState(root).physmemPages;
    vi.setSystemTime(T0 + 3_600_000);
    const s = await sample(
      root,
      'unix:0:system_pages:freemem',
      'vmm:0:vmm_reservoir:bytes_transient_alloc',
      'unix:0:system_misc:avenrun_1min',
      `zones:${id}:vm1:avenrun_1min`,
    );
    expect(num(s, 'unix:0:system_pages:freemem')).toBe(Math.floor(pages * 0.6) - (512 * M) / 4096);
    expect(num(s, 'vmm:0:vmm_reservoir:bytes_transient_alloc')).toBe(512 * M);
    expect(num(s, 'unix:0:system_misc:avenrun_1min')).toBe(Math.floor(0.51 * 256));
    expect(num(s, `zones:${id}:vm1:avenrun_1min`)).toBe(128);
  });

  it('stops a halted zone: its links and the host stop counting, its zone kstats go away', async () => {
    const { root, id } = await loadedVm();
    vi.setSystemTime(T0 + 10_000);
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    vi.setSystemTime(T0 + 20_000);
    const a = await sample(root, 'link:0:vm1net0:rbytes64', 'cpu::sys:cpu_nsec_user');
    vi.setSystemTime(T0 + 90_000);
    const b = await sample(root, 'link:0:vm1net0:rbytes64', 'cpu::sys:cpu_nsec_user');
    expect(num(a, 'link:0:vm1net0:rbytes64')).toBe(10 * M);
    expect(num(b, 'link:0:vm1net0:rbytes64')).toBe(10 * M);
    expect(sum(b, /nsec_user/)).toBe(sum(a, /nsec_user/));
    expect(sum(a, /nsec_user/)).toBe(10 * 0.5e9 * 0.15);
    expect((await run(root, ['kstat', '-p', `zones:${id}:vm1`])).exitCode).toBe(1);
    expect((await run(root, ['kstat', '-p', 'vmm::vcpu0'])).exitCode).toBe(1);
  });

  it('restarts the zone kstats from zero at a reboot while the link counters go on', async () => {
    const { root, id } = await loadedVm();
    vi.setSystemTime(T0 + 10_000);
    await ok(root, ['zoneadm', '-z', 'vm1', 'reboot']);
    const newId = readState(root).zones.find((z) => z.name === 'vm1')!.zoneid!;
    expect(newId).not.toBe(id);
    vi.setSystemTime(T0 + 14_000);
    const s = await sample(root, 'zones::vm1:nsec_*', 'link:0:vm1net0:rbytes64');
    expect([...s.keys()].filter((k) => k.startsWith('zones:'))).toEqual([
      `zones:${newId}:vm1:nsec_sys`,
      `zones:${newId}:vm1:nsec_user`,
      `zones:${newId}:vm1:nsec_waitrq`,
    ]);
    expect(sum(s, /^zones:.*:nsec_(user|sys)$/)).toBe(4 * 0.5e9);
    expect(num(s, 'link:0:vm1net0:rbytes64')).toBe(14 * M);
  });

  it('clears a load: the counters stay where they were and stop', async () => {
    const { root } = await loadedVm();
    vi.setSystemTime(T0 + 3_000);
    await clearLoad(root, 'vm1');
    vi.setSystemTime(T0 + 30_000);
    const s = await sample(root, 'link:0:vm1net0:rbytes64', 'zfs:0:rpool:nread');
    expect(num(s, 'link:0:vm1net0:rbytes64')).toBe(3 * M);
    expect(num(s, 'zfs:0:rpool:nread')).toBe(15 * M);
  });

  it('counts nothing for a zone that is not running, until it boots', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', false);
    await setLoad(root, 'vm1', { netRx: M });
    vi.setSystemTime(T0 + 5_000);
    expect((await sample(root, 'link:0:vm1net0:rbytes64')).get('link:0:vm1net0:rbytes64')).toBe(
      '0',
    );
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    vi.setSystemTime(T0 + 7_000);
    expect(num(await sample(root, 'link:0:vm1net0:rbytes64'), 'link:0:vm1net0:rbytes64')).toBe(
      2 * M,
    );
  });

  it('rejects a load for an unknown zone, beyond the host, or negative', async () => {
    const { root } = await loadedVm();
    await expect(setLoad(root, 'nope', { cpu: 1 })).rejects.toThrow(LoadError);
    await expect(setLoad(root, 'vm1', { cpu: 4 })).rejects.toThrow(/exceeds the host's 4 CPUs/);
    await expect(setLoad(root, 'vm1', { netRx: -1 })).rejects.toThrow(/non-negative/);
    await expect(setLoad(root, 'vm1', { mem: 8 * 1024 * M })).rejects.toThrow(/free memory/);
  });
});

describe('counter widths', () => {
  function withLoad(root: string, patch: (s: HostState) => void): HostState {
    const state = structuredClone(readState(root));
    state.load = {
      zones: {},
      links: {},
      pools: {},
      hostCpuNs: '0',
      hostMemByteSec: '0',
      avg: [0, 0, 0],
      avgAt: T0,
    };
    patch(state);
    return state;
  }

  const stat = (state: HostState, module: string, name: string, statistic: string) =>
    kstatChain(state, T0)
      .find((k) => k.module === module && k.name === name)!
      .stats.find(([n]) => n === statistic)![1];

  it('wraps the UINT32 link counters at 2^32 while the 64-bit ones go on', () => {
    const root = newHost();
    const state = withLoad(root, (s) => {
      s.load!.links.e1000g0 = { rx: `${2 ** 32 + 5}`, tx: '0' };
    });
    expect(stat(state, 'link', 'e1000g0', 'rbytes64')).toEqual({ t: 'u64', v: 2n ** 32n + 5n });
    expect(stat(state, 'link', 'e1000g0', 'rbytes')).toEqual({ t: 'u32', v: 2n ** 32n + 5n });
  });

  it('prints counters past 2^53 exactly and 32-bit ones wrapped', async () => {
    const root = newHost({ cpus: 1 });
    const state = withLoad(root, (s) => {
      s.load!.hostCpuNs = '20000000000000000000';
      s.load!.links.e1000g0 = { rx: `${2 ** 32 + 5}`, tx: '0' };
    });
    const { formatValue } = await import('../src/sys/kstat-types.js');
    // user share of the zones' time: 15% of 2e19 ns
    expect(formatValue(stat(state, 'cpu', 'sys', 'cpu_nsec_user'))).toBe('3000000000000000000');
    expect(formatValue(stat(state, 'link', 'e1000g0', 'rbytes'))).toBe('5');
    expect(formatValue(stat(state, 'link', 'e1000g0', 'rbytes64'))).toBe('4294967301');
  });
});
