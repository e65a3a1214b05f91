import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, Network, StorageDataset } from '@apiary/protocol';
import { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliJson, runCli } from './run-cli.js';

/*
 * `apiary hosts links|networks|pools|datasets` (issue 14) through the real program against a
 * controller and one agent on a simulated host with a spare NIC: tables with humanised sizes,
 * --json as the API has it, usage mistakes before any request, near names on a typo.
 */
let fleet: Fleet;
let dir: string;
let env: NodeJS.ProcessEnv;
let host: Host;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-hostres-'));
  fleet = await Fleet.start({ dir, agents: 1, host: () => ({ links: ['e1000g0', 'e1000g1'] }) });
  env = {
    HOME: dir,
    APIARY_CONFIG: join(dir, 'cli', 'config.json'),
    APIARY_URL: fleet.controllerUrl,
    APIARY_API_KEY: fleet.bootstrap.adminApiKey,
    APIARY_CA: fleet.controller.certFile,
  };
  host = (await cliJson<Host[]>(['hosts', 'list'], env))[0] as Host;
}, 180_000);

afterAll(async () => {
  await fleet?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The cells of the table row whose first cell is `first` (undefined: no such row). */
function row(table: string, first: string): string[] | undefined {
  return table
    .split('\n')
    .map((line) =>
      line
        .split('│')
        .slice(1, -1)
        .map((c) => c.trim()),
    )
    .find((cells) => cells[0] === first);
}

describe('apiary hosts links, networks, pools and datasets', () => {
  it('creates a bridged network with a VLAN by hostname and lists it', async () => {
    const made = await cliJson<Network>(
      [
        'hosts',
        'networks',
        'create',
        host.hostname,
        'lan',
        '--kind',
        'bridged',
        '--link',
        'e1000g1',
        '--vlan',
        '12',
        '--subnet',
        '192.168.12.0/24',
        '--gateway',
        '192.168.12.1',
        '--dns',
        '192.168.12.1, 9.9.9.9',
      ],
      env,
    );
    expect(made).toMatchObject({ name: 'lan', vlan: 12, dns: ['192.168.12.1', '9.9.9.9'] });
    const table = await runCli(['hosts', 'networks', host.hostname], { env });
    expect(table.code, table.stderr).toBe(0);
    expect(row(table.stdout, 'lan')?.slice(0, 6)).toEqual([
      'lan',
      'bridged',
      'e1000g1',
      '12',
      'static',
      '192.168.12.0/24',
    ]);
    expect(row(table.stdout, 'nat')?.[1]).toBe('nat');
    const links = await runCli(['hosts', 'links', host.hostname], { env });
    expect(row(links.stdout, 'apiarystub0')).toEqual(
      expect.arrayContaining(['etherstub', 'apiary (kept)']),
    );
    expect(row(links.stdout, 'e1000g1')).toEqual(expect.arrayContaining(['phys', 'network:lan']));
  });

  it('reports a usage mistake (exit 2) before asking anything', async () => {
    const bad = await runCli(
      ['hosts', 'networks', 'create', host.hostname, 'x', '--kind', 'bridgd'],
      { env },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--kind is bridged or private');
    const size = await runCli(
      ['hosts', 'datasets', 'create', host.hostname, 'rpool/v', '--volume', '--size', '2X'],
      { env },
    );
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('--size: invalid size "2X"');
  });

  it('creates, sets and destroys a dataset, humanising its sizes', async () => {
    const made = await cliJson<StorageDataset>(
      ['hosts', 'datasets', 'create', host.hostname, 'rpool/scratch', '--quota', '2G'],
      env,
    );
    expect(made).toMatchObject({ name: 'rpool/scratch', quota: 2 * 1024 ** 3, owner: 'api' });
    const set = await runCli(
      ['hosts', 'datasets', 'set', host.hostname, 'rpool/scratch', '--quota', '512M'],
      { env },
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/^quota\s+512 MiB$/m);
    const list = await runCli(['hosts', 'datasets', host.hostname, '--pool', 'rpool'], { env });
    const scratch = row(list.stdout, 'rpool/scratch');
    expect([scratch?.[1], scratch?.[5], scratch?.[9]]).toEqual(['filesystem', '512 MiB', 'api']);
    expect(row(list.stdout, 'rpool/apiary')?.[9]).toBe('apiary (kept)');
    const listed = await cliJson<{ items: StorageDataset[] }>(
      ['hosts', 'datasets', host.hostname, '--pool', 'rpool'],
      env,
    );
    expect(listed.items.find((d) => d.name === 'rpool/scratch')?.quota).toBe(512 * 1024 ** 2);

    const typo = await runCli(['hosts', 'datasets', 'delete', host.hostname, 'rpool/scratc'], {
      env,
    });
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('no dataset rpool/scratc; did you mean rpool/scratch?');
    const gone = await runCli(['hosts', 'datasets', 'delete', host.hostname, 'rpool/scratch'], {
      env,
    });
    expect(gone.code, gone.stderr).toBe(0);
    const after = await cliJson<{ items: StorageDataset[] }>(
      ['hosts', 'datasets', host.hostname],
      env,
    );
    expect(after.items.map((d) => d.name)).not.toContain('rpool/scratch');
  });

  it('shows the pools with their vdev tree and sizes', async () => {
    const pools = await runCli(['hosts', 'pools', host.hostname], { env });
    expect(pools.code, pools.stderr).toBe(0);
    expect(row(pools.stdout, 'rpool')?.[1]).toMatch(/^\d+(\.\d)? [KMGT]iB$/);
    expect(pools.stdout).toMatch(/^rpool\n {2}\S+ {2}ONLINE$/m);
  });

  it('passes the host’s refusal of Apiary’s own link on, exit 1', async () => {
    const res = await runCli(['hosts', 'links', 'delete', host.hostname, 'apiarystub0'], { env });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("apiarystub0 is Apiary's own link and cannot be deleted here");
  });
});
