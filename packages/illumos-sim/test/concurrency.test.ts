import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCommandLog, runCommand } from '../src/index.js';
import { bhyveConfig, newHost, ok, runBin, writeTemp } from './helpers.js';

/**
 * The host lock: 20 commands of different programs started at once as real processes must
 * neither corrupt the state file nor lose any change; same inside one process.
 */
describe('concurrent invocations', () => {
  it('keeps every change of 20 mixed commands run as parallel processes', async () => {
    const root = newHost();
    const jobs: Array<Promise<{ exitCode: number; stderr: string }>> = [];
    for (let i = 0; i < 5; i++) {
      const file = writeTemp(root, `z${i}.cfg`, bhyveConfig(`z${i}`));
      jobs.push(runBin(root, ['zonecfg', '-z', `z${i}`, '-f', file]));
      jobs.push(runBin(root, ['zfs', 'create', '-V', '1G', `rpool/d${i}`]));
      jobs.push(runBin(root, ['dladm', 'create-vnic', '-l', 'e1000g0', `z${i}net0`]));
    }
    for (let i = 0; i < 3; i++) {
      jobs.push(
        runBin(
          root,
          ['ipnat', '-f', '-'],
          `rdr e1000g0 0/0 port ${4000 + i} -> 10.10.0.${i + 5} port 22 tcp\n`,
        ),
      );
    }
    jobs.push(runBin(root, ['zoneadm', 'list', '-cp']));
    jobs.push(runBin(root, ['zfs', 'list', '-Hp']));
    const results = await Promise.all(jobs);
    expect(results).toHaveLength(20);
    for (const r of results) expect(r).toMatchObject({ exitCode: 0, stderr: '' });

    JSON.parse(readFileSync(join(root, 'state.json'), 'utf8'));
    const zones = (await ok(root, ['zoneadm', 'list', '-cpn']))
      .trim()
      .split('\n')
      .map((l) => l.split(':')[1])
      .sort();
    expect(zones).toEqual(['z0', 'z1', 'z2', 'z3', 'z4']);
    expect(
      (await ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'volume'])).trim().split('\n'),
    ).toEqual(['rpool/d0', 'rpool/d1', 'rpool/d2', 'rpool/d3', 'rpool/d4']);
    expect(
      (await ok(root, ['dladm', 'show-vnic', '-p', '-o', 'link'])).trim().split('\n').sort(),
    ).toEqual(['z0net0', 'z1net0', 'z2net0', 'z3net0', 'z4net0']);
    expect((await ok(root, ['ipnat', '-l'])).match(/^rdr /gm)).toHaveLength(3);
    // the 20 parallel invocations, then the 4 checks above
    expect(
      readCommandLog(root)
        .slice(0, 20)
        .every((e) => e.exit_code === 0),
    ).toBe(true);
    expect(readCommandLog(root)).toHaveLength(24);
  }, 60_000);

  it('installs, boots and halts 10 zones in parallel processes without losing a transition', async () => {
    const root = newHost();
    for (let i = 0; i < 10; i++) {
      await ok(root, ['zonecfg', '-z', `v${i}`, '-f', '-'], bhyveConfig(`v${i}`));
      await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', `v${i}net0`]);
    }
    const install = await Promise.all(
      [...Array(10).keys()].map((i) => runBin(root, ['zoneadm', '-z', `v${i}`, 'install'])),
    );
    for (const r of install) expect(r.exitCode).toBe(0);
    const disks = await Promise.all(
      [...Array(10).keys()].map((i) =>
        runBin(root, ['zfs', 'create', '-V', '1G', `rpool/zones/v${i}/disk0`]),
      ),
    );
    for (const r of disks) expect(r.exitCode).toBe(0);
    const boots = await Promise.all(
      [...Array(10).keys()].map((i) => runBin(root, ['zoneadm', '-z', `v${i}`, 'boot'])),
    );
    for (const r of boots) expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = (await ok(root, ['zoneadm', 'list', '-pn'])).trim().split('\n');
    expect(lines).toHaveLength(10);
    const ids = lines.map((l) => Number(l.split(':')[0]));
    expect(new Set(ids).size).toBe(10);
    const halts = await Promise.all(
      [...Array(10).keys()].map((i) => runBin(root, ['zoneadm', '-z', `v${i}`, 'halt'])),
    );
    for (const r of halts) expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await ok(root, ['zoneadm', 'list', '-pn'])).toBe('');
  }, 60_000);

  it('serializes concurrent in-process calls on one host', async () => {
    const root = newHost();
    await Promise.all(
      [...Array(40).keys()].map((i) =>
        runCommand({ argv: ['zfs', 'create', '-s', '-V', '1G', `rpool/v${i}`], root }),
      ),
    );
    expect(
      (await ok(root, ['zfs', 'list', '-Hpo', 'name', '-t', 'volume'])).trim().split('\n'),
    ).toHaveLength(40);
  });
});
