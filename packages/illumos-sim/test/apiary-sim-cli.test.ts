import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from './helpers.js';

/** The apiary-sim command line: init, bin-dir, fault, log, show. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function sim(...args: string[]) {
  const r = spawnSync(process.execPath, [join(BIN, 'apiary-sim.js'), ...args], {
    encoding: 'utf8',
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

function tool(root: string, program: string, ...args: string[]) {
  const r = spawnSync(join(BIN, program), args, {
    encoding: 'utf8',
    env: { ...process.env, ILLUMOS_SIM_ROOT: root },
  });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.status };
}

function dir(): string {
  const d = join(mkdtempSync(join(tmpdir(), 'apiary-sim-cli-')), 'host');
  dirs.push(join(d, '..'));
  return d;
}

describe('apiary-sim', () => {
  it('prints the absolute bin directory', () => {
    expect(sim('bin-dir')).toEqual({ stdout: `${BIN}\n`, stderr: '', exitCode: 0 });
  });

  it('builds pool layouts and aggregations from --pool NAME=SIZE:LAYOUT and --aggr', () => {
    const d = dir();
    const args = [
      'init',
      d,
      '--link',
      'e1000g0',
      '--link',
      'e1000g1',
      '--aggr',
      'aggr0=e1000g0,e1000g1',
    ];
    expect(sim(...args, '--pool', 'tank=2T:mirror:c1t0d0,c1t1d0').exitCode).toBe(0);
    expect(tool(d, 'zpool', 'status', 'tank').stdout).toContain(
      '\t  mirror-0  ONLINE       0     0     0\n\t    c1t0d0  ONLINE       0     0     0\n\t    c1t1d0  ONLINE       0     0     0\n',
    );
    expect(tool(d, 'dladm', 'show-aggr', '-p', '-o', 'link,policy').stdout).toBe('aggr0:L4\n');
    // the host address moves to the aggregation that owns the first link
    expect(tool(d, 'ipadm', 'show-addr', '-p', '-o', 'addrobj', 'aggr0/v4').stdout).toBe(
      'aggr0/v4\n',
    );
    const bad = sim('init', dir(), '--pool', 'tank=1T:mirror:c1t0d0');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('mirror needs at least 2 disks');
  });

  it('initializes a host with the given resources and refuses to re-initialize it', () => {
    const d = dir();
    expect(
      sim(
        'init',
        d,
        '--cpus',
        '4',
        '--ram',
        '16G',
        '--pool',
        'tank=500G',
        '--link',
        'igb0',
        '--hostname',
        'hv1',
      ).exitCode,
    ).toBe(0);
    expect(tool(d, 'kstat', '-p', 'unix:0:system_misc:ncpus').stdout).toBe(
      'unix:0:system_misc:ncpus\t4\n',
    );
    expect(tool(d, 'zpool', 'list', '-Hp', '-o', 'name,size').stdout).toBe(
      `tank\t${500 * 2 ** 30}\n`,
    );
    expect(tool(d, 'dladm', 'show-phys', '-p', '-o', 'link').stdout).toBe('igb0\n');
    expect(tool(d, 'zfs', 'list', '-Hpo', 'name,mountpoint').stdout).toBe(
      'tank\t/tank\ntank/zones\t/zones\n',
    );
    const again = sim('init', d);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already holds a simulated host/);
  });

  it('gives a host a loopback public address, and refuses any other address', () => {
    const d = dir();
    expect(sim('init', d, '--public-address', '127.0.0.9').exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'state.json'), 'utf8')).publicAddress).toBe('127.0.0.9');
    const bad = sim('init', dir(), '--public-address', '192.168.1.10');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('invalid public address: 192.168.1.10');
  });

  it('rejects bad options with usage, exit 2', () => {
    const d = dir();
    expect(sim('init', d, '--cpus', 'many').exitCode).toBe(2);
    expect(sim('init', d, '--pool', 'nosize').exitCode).toBe(2);
    expect(sim('init', d, '--bogus').exitCode).toBe(2);
    expect(sim('fault', d).exitCode).toBe(2);
  });

  it('injects, lists and clears faults, and shows them in the log', () => {
    const d = dir();
    sim('init', d);
    expect(
      sim('fault', d, '--match', 'zpool list*', '--exit', '1', '--stderr', 'zpool: injected')
        .exitCode,
    ).toBe(0);
    expect(JSON.parse(sim('fault', d, '--list').stdout)).toHaveLength(1);
    expect(tool(d, 'zpool', 'list')).toEqual({
      stdout: '',
      stderr: 'zpool: injected\n',
      exitCode: 1,
    });
    expect(tool(d, 'zpool', 'list', '-Hpo', 'name').stdout).toBe('rpool\n');
    sim('fault', d, '--match', 'zfs *', '--always');
    expect(tool(d, 'zfs', 'list').exitCode).toBe(1);
    sim('fault', d, '--clear');
    expect(tool(d, 'zfs', 'list').exitCode).toBe(0);
    const log = JSON.parse(sim('log', d, '--json').stdout) as Array<{
      argv: string[];
      exit_code: number;
      fault?: boolean;
    }>;
    expect(log.map((e) => [e.argv.join(' '), e.exit_code, e.fault ?? false])).toEqual([
      ['zpool list', 1, true],
      ['zpool list -Hpo name', 0, false],
      ['zfs list', 1, true],
      ['zfs list', 0, false],
    ]);
    expect(sim('log', d).stdout).toMatch(/exit=1 +\d+ms +zpool list +\[fault\]/);
    sim('fault', d, '--match', 'zfs receive *', '--stdin-bytes', '12');
    expect(JSON.parse(sim('fault', d, '--list').stdout)).toMatchObject([
      { match: 'zfs receive *', count: 1, stdin_bytes: 12 },
    ]);
    tool(d, 'zfs', 'create', '-V', '1G', 'rpool/v');
    tool(d, 'zfs', 'snapshot', 'rpool/v@s');
    const stream = tool(d, 'zfs', 'send', 'rpool/v@s').stdout;
    const receive = (target: string) =>
      spawnSync(join(BIN, 'zfs'), ['receive', target], {
        encoding: 'utf8',
        input: stream,
        env: { ...process.env, ILLUMOS_SIM_ROOT: d },
      });
    // 12 bytes are not a whole magic line: recv_read() comes up short
    expect(receive('rpool/x').stderr).toBe('cannot receive: failed to read from stream\n');
    expect(receive('rpool/y').status).toBe(0);
  });

  it('summarizes the host', () => {
    const d = dir();
    sim('init', d);
    tool(d, 'zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1');
    tool(d, 'zoneadm', '-z', 'vm1', 'install');
    const out = sim('show', d).stdout;
    expect(out).toMatch(/zones:\n +vm1 +installed +bhyve \/zones\/vm1/);
    expect(out).toContain('rpool/zones/vm1');
    expect(out).toContain('e1000g0');
    expect(out).toContain('ipfilter: enabled');
  });

  it('tells a program without a host what is missing', () => {
    const r = spawnSync(join(BIN, 'zoneadm'), ['list'], {
      encoding: 'utf8',
      env: { ...process.env, ILLUMOS_SIM_ROOT: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "zoneadm: ILLUMOS_SIM_ROOT is not set (the simulated host's state directory)\n",
    );
  });
});
