import { describe, expect, it } from 'vitest';
import { readState } from '../src/core/state-store.js';
import type { HostState } from '../src/core/state-types.js';
import { kstatChain } from '../src/sys/kstat-chain.js';
import { printInstances, readInstances } from '../src/sys/kstat-print.js';
import { KstatPattern, parseSelector } from '../src/sys/kstat-select.js';
import { newHost, ok, run } from './helpers.js';

/**
 * kstat(8) output, literal, for a fresh host at a fixed moment (60 s after boot_time), and
 * kstat.c's option handling, errors and exit codes.
 */
const BOOT = 1_700_000_000;

function freshState(): HostState {
  const root = newHost({ cpus: 2, ram: '4G' });
  return { ...readState(root), bootTime: BOOT };
}

function kstatP(state: HostState, operands: string[], secondsUp = 60): string {
  let text = '';
  const selectors = operands.map((o) => parseSelector(o)!);
  const kept = readInstances(kstatChain(state, (BOOT + secondsUp) * 1000), selectors);
  const opts = {
    parsable: true,
    namesOnly: false,
    colon: false,
    json: false,
    quiet: false,
    klass: new KstatPattern('*'),
  };
  printInstances(kept, selectors, opts, (t) => {
    text += t;
  });
  return text;
}

const USAGE =
  'Usage:\n' +
  'kstat [ -Cjlpq ] [ -T d|u ] [ -c class ]\n' +
  '      [ -m module ] [ -i instance ] [ -n name ] [ -s statistic ]\n' +
  '      [ interval [ count ] ]\n' +
  'kstat [ -Cjlpq ] [ -T d|u ] [ -c class ]\n' +
  '      [ module[:instance[:name[:statistic]]] ... ]\n' +
  '      [ interval [ count ] ]\n';

describe('kstat -p on a fresh host', () => {
  it('prints unix:0:system_misc with crtime, snaptime and class, sorted by statistic', () => {
    expect(kstatP(freshState(), ['unix:0:system_misc'])).toBe(
      [
        'unix:0:system_misc:avenrun_15min\t0',
        'unix:0:system_misc:avenrun_1min\t1',
        'unix:0:system_misc:avenrun_5min\t0',
        `unix:0:system_misc:boot_time\t${BOOT}`,
        'unix:0:system_misc:class\tmisc',
        'unix:0:system_misc:clk_intr\t6000',
        'unix:0:system_misc:crtime\t4.812305117',
        'unix:0:system_misc:deficit\t0',
        'unix:0:system_misc:lbolt\t6000',
        'unix:0:system_misc:ncpus\t2',
        'unix:0:system_misc:nproc\t60',
        'unix:0:system_misc:nsec_per_tick\t10000000',
        'unix:0:system_misc:snaptime\t69.000000000',
        'unix:0:system_misc:vac\t0',
        '',
      ].join('\n'),
    );
  });

  it('prints the memory kstats from physmem', () => {
    const state = freshState();
    const physmem = state.physmemPages;
    expect(
      kstatP(state, [
        'unix:0:system_pages:physmem',
        'unix:0:system_pages:freemem',
        'unix:0:system_pages:availrmem',
        'unix:0:vminfo:/^(freemem|updates)$/',
        'zfs:0:arcstats:/^(size|c|c_max)$/',
      ]),
    ).toBe(
      [
        `unix:0:system_pages:physmem\t${physmem}`,
        `unix:0:system_pages:freemem\t${Math.floor(physmem * 0.6)}`,
        `unix:0:system_pages:availrmem\t${Math.floor(physmem * 0.7)}`,
        `unix:0:vminfo:freemem\t${60 * Math.floor(physmem * 0.6)}`,
        'unix:0:vminfo:updates\t60',
        `zfs:0:arcstats:c\t${(physmem * 4096 * 3) / 4}`,
        `zfs:0:arcstats:c_max\t${(physmem * 4096 * 3) / 4}`,
        `zfs:0:arcstats:size\t${(physmem * 4096) / 16}`,
        '',
      ].join('\n'),
    );
  });

  it('prints a physical link, the pool and a CPU with the idle baseline', () => {
    expect(
      kstatP(freshState(), [
        'link:0:e1000g0:/bytes|packets|ifspeed|link_|zonename/',
        'zfs:0:rpool:/^n/',
        'cpu:1:sys:/^cpu_(nsec|ticks)_/',
      ]),
    ).toBe(
      [
        'link:0:e1000g0:ifspeed\t1000000000',
        'link:0:e1000g0:ipackets\t36',
        'link:0:e1000g0:ipackets64\t36',
        'link:0:e1000g0:link_duplex\t2',
        'link:0:e1000g0:link_state\t1',
        'link:0:e1000g0:obytes\t18000',
        'link:0:e1000g0:obytes64\t18000',
        'link:0:e1000g0:opackets\t18',
        'link:0:e1000g0:opackets64\t18',
        'link:0:e1000g0:rbytes\t36000',
        'link:0:e1000g0:rbytes64\t36000',
        'link:0:e1000g0:zonename\tglobal',
        'zfs:0:rpool:nread\t0',
        'zfs:0:rpool:nwritten\t245760',
        'cpu:1:sys:cpu_nsec_dtrace\t0',
        'cpu:1:sys:cpu_nsec_idle\t68700000000',
        'cpu:1:sys:cpu_nsec_intr\t0',
        'cpu:1:sys:cpu_nsec_kernel\t300000000',
        'cpu:1:sys:cpu_nsec_user\t0',
        'cpu:1:sys:cpu_ticks_idle\t6870',
        'cpu:1:sys:cpu_ticks_kernel\t30',
        'cpu:1:sys:cpu_ticks_user\t0',
        'cpu:1:sys:cpu_ticks_wait\t0',
        '',
      ].join('\n'),
    );
  });

  it('lists the modules of a fresh host in module, instance, name order', () => {
    const names = kstatChain(freshState(), (BOOT + 60) * 1000).map(
      (k) => `${k.module}:${k.instance}:${k.name}`,
    );
    expect(names).toEqual([
      'caps:0:lockedmem_zone_0',
      'caps:0:nprocs_zone_0',
      'caps:0:swapresv_zone_0',
      'cpu:0:sys',
      'cpu:1:sys',
      'cpu_info:0:cpu_info0',
      'cpu_info:1:cpu_info1',
      'link:0:e1000g0',
      'memory_cap:0:global',
      'unix:0:system_misc',
      'unix:0:system_pages',
      'unix:0:vminfo',
      'zfs:0:arcstats',
      'zfs:0:rpool',
      'zones:0:global',
    ]);
  });
});

describe('kstat command', () => {
  it('keeps the lines the agent reads: ncpus, physmem, cpu_info', async () => {
    const root = newHost({ cpus: 2, ram: '16G' });
    const pages = readState(root).physmemPages;
    expect(await ok(root, ['kstat', '-p', 'unix:0:system_misc:ncpus'])).toBe(
      'unix:0:system_misc:ncpus\t2\n',
    );
    expect(await ok(root, ['kstat', '-p', 'unix:0:system_pages:physmem'])).toBe(
      `unix:0:system_pages:physmem\t${pages}\n`,
    );
    expect(await ok(root, ['kstat', '-p', 'cpu_info:1:cpu_info1:state'])).toBe(
      'cpu_info:1:cpu_info1:state\ton-line\n',
    );
    expect(await ok(root, ['kstat', '-p', 'cpu_info:0:cpu_info0:clock_MHz'])).toBe(
      'cpu_info:0:cpu_info0:clock_MHz\t2400\n',
    );
  });

  it('answers several selectors in one call, each in turn, in the order given', async () => {
    const root = newHost({ cpus: 2 });
    expect(
      await ok(root, [
        'kstat',
        '-p',
        'unix:0:system_misc:ncpus',
        'cpu_info:*:*:state',
        'unix:0:system_misc:ncpus',
      ]),
    ).toBe(
      'unix:0:system_misc:ncpus\t2\ncpu_info:0:cpu_info0:state\ton-line\n' +
        'cpu_info:1:cpu_info1:state\ton-line\nunix:0:system_misc:ncpus\t2\n',
    );
  });

  it('selects with -m -i -n -s, -c class, -l names and -C colons', async () => {
    const root = newHost({ cpus: 2 });
    expect(await ok(root, ['kstat', '-p', '-m', 'cpu_info', '-i', '1', '-s', 'state'])).toBe(
      'cpu_info:1:cpu_info1:state\ton-line\n',
    );
    expect(await ok(root, ['kstat', '-l', '-c', 'pages', '-s', 'phys*'])).toBe(
      'unix:0:system_pages:physmem\n',
    );
    expect(await ok(root, ['kstat', '-C', 'unix:0:system_misc:ncpus'])).toBe(
      'unix:0:system_misc:ncpus:2\n',
    );
    expect(await ok(root, ['kstat', '-p', '-n', '/^cpu_info[0]$/', '-s', 'brand'])).toBe(
      'cpu_info:0:cpu_info0:brand\tIntel(r) Xeon(r) CPU (simulated)\n',
    );
  });

  it('prints the default block layout and JSON', async () => {
    const root = newHost({ cpus: 1 });
    const text = await ok(root, ['kstat', 'unix:0:system_misc:ncpus']);
    expect(text).toBe(
      `module: ${'unix'.padEnd(30)}  instance: 0     \n` +
        `name:   ${'system_misc'.padEnd(30)}  class:    misc\n` +
        `\t${'ncpus'.padEnd(30)}  1\n\n`,
    );
    const json = await ok(root, ['kstat', '-j', 'unix:0:system_misc:ncpus']);
    expect(json).toMatch(
      /^\[\{\n\t"module": "unix",\n\t"instance": 0,\n\t"name": "system_misc",\n\t"class": "misc",\n\t"type": 1,\n\t"snaptime": \d+\.\d{9},\n\t"data": \{\n\t\t"ncpus": 1,\n\t\}\n\},\]\n$/,
    );
  });

  it('exits 1 with no output when nothing matches', async () => {
    const root = newHost();
    expect(await run(root, ['kstat', '-p', 'nope:0:nope:nope'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 1,
    });
    expect((await run(root, ['kstat', '-q', 'unix:0:system_misc:ncpus'])).exitCode).toBe(0);
    expect((await run(root, ['kstat', '-q', 'unix:0:system_misc:nope'])).exitCode).toBe(1);
  });

  it('reports a bad regular expression with regerror text and the usage, exit 2', async () => {
    const root = newHost();
    expect(await run(root, ['kstat', '-p', '/[abc/'])).toEqual({
      stdout: '',
      stderr: `kstat: brackets ([ ]) not balanced\n${USAGE}`,
      exitCode: 2,
    });
    expect((await run(root, ['kstat', '-p', 'unix:0:system_misc:/(a/'])).stderr).toBe(
      `kstat: parentheses not balanced\n${USAGE}`,
    );
  });

  it('refuses selectors with more than four fields, mixed selector styles and -q with -p', async () => {
    const root = newHost();
    expect(await run(root, ['kstat', '-p', 'a:b:c:d:e'])).toEqual({
      stdout: '',
      stderr: USAGE,
      exitCode: 2,
    });
    expect(await run(root, ['kstat', '-m', 'unix', 'unix:0'])).toEqual({
      stdout: '',
      stderr: `[module[:instance[:name[:statistic]]]] and -m -i -n -s are mutually exclusive${USAGE}`,
      exitCode: 2,
    });
    expect(await run(root, ['kstat', '-q', '-p'])).toEqual({
      stdout: '',
      stderr: `-q and -lpj are mutually exclusive\n${USAGE}`,
      exitCode: 2,
    });
    expect(await run(root, ['kstat', '-p', 'unix', '0'])).toEqual({
      stdout: '',
      stderr: `Interval must be an integer >= 1${USAGE}`,
      exitCode: 2,
    });
    expect((await run(root, ['kstat', '-T', 'x'])).exitCode).toBe(2);
  });

  it("exits 0 after the usage for an unknown option, as kstat.c does for getopt's ?", async () => {
    const root = newHost();
    expect(await run(root, ['kstat', '-z'])).toEqual({
      stdout: '',
      stderr: `kstat: illegal option -- z\n${USAGE}`,
      exitCode: 0,
    });
  });

  it('prints a -T u timestamp before each round and repeats with interval and count', async () => {
    const root = newHost();
    const r = await ok(root, ['kstat', '-p', '-T', 'u', 'unix:0:system_misc:ncpus', '1', '2']);
    expect(r).toMatch(
      /^\d{10}\nunix:0:system_misc:ncpus\t8\n\n\d{10}\nunix:0:system_misc:ncpus\t8\n$/,
    );
  });
});
