import { spawn } from 'node:child_process';
import type { Env, Host, HostStats, VmStats } from '@apiary/protocol';
import {
  type AgentDaemon,
  bins,
  type ControllerDaemon,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { asVmNames } from './footprint.js';

/*
 * Usage end to end: real agents sampling kstat every second on simulated hosts, a load set on
 * two zones with the simulator's own `apiary-sim load`, and what the controller's API and
 * `apiary vms top --json` show two samples later: each figure within 10% of the load set.
 */
let c: ControllerDaemon;
let agents: AgentDaemon[];

fleetForFile(
  {
    agents: 2,
    agentArgs: ['--stats-interval', '1'],
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const MIB = 1024 * 1024;
/** What each VM is made to do (per second), by VM name. */
const LOADS = {
  'busy-0': { cpu: 1.5, netRx: 4 * MIB, netTx: 512 * 1024 },
  'busy-1': { cpu: 0.5, netRx: 256 * 1024, netTx: 2 * MIB },
} as const;

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const agentOf = (hostId: string | null) => agents.find((a) => a.hostId === hostId) as AgentDaemon;

function expectNear(actual: number | null | undefined, expected: number, what: string) {
  expect(actual, what).not.toBeNull();
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThan(
    expected * 0.1,
  );
}

/** Runs a program to its end; resolves with its exit code and output. */
function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { PATH: process.env.PATH, ...env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The zone (internal id) of VM `name` on its host. */
function zoneOf(env: Env, name: string): { agent: AgentDaemon; zone: string } {
  const vm = env.vms.find((v) => v.id === name);
  const agent = agentOf(vm?.host_id ?? null);
  const zone = agent
    .host()
    .zones.map((z) => z.name)
    .find((z) => asVmNames([z])[0] === name);
  if (!zone) throw new Error(`no zone for ${name}`);
  return { agent, zone };
}

describe('usage of loaded VMs through the controller', () => {
  it('shows the CPU and traffic set on two zones in the API and in apiary vms top --json', async () => {
    const created = await c.call('POST', '/v1/envs', {
      id: 'busy',
      ssh_keys: [sshKey()],
      vms: [1, 2].map(() => ({ image: 'alpine-cloud', cpu: 2, mem: 1024, disk: 10240 })),
    });
    expect(created.status, await created.clone().text()).toBe(202);
    const env = await waitFor(
      async () => {
        const e = await json<Env>(c.call('GET', '/v1/envs/busy'));
        return e.state === 'active' ? e : undefined;
      },
      { what: 'busy to be active', timeoutMs: 120_000, intervalMs: 250 },
    );

    for (const [name, load] of Object.entries(LOADS)) {
      const { agent, zone } = zoneOf(env, name);
      const set = await run([
        bins.sim,
        'load',
        agent.simDir,
        zone,
        '--cpu',
        String(load.cpu),
        '--net-rx',
        String(load.netRx),
        '--net-tx',
        String(load.netTx),
      ]);
      expect(set.code, set.stderr).toBe(0);
    }
    // Two samples after the load was set, the last interval lies wholly under it.
    const loadedAt = Date.now();
    const sampledSince = (at: string | undefined) => at && Date.parse(at) >= loadedAt + 2000;

    for (const [name, load] of Object.entries(LOADS)) {
      const stats = await waitFor(
        async () => {
          const s = await json<VmStats>(c.call('GET', `/v1/vms/${name}/stats?since=5m`));
          return sampledSince(s.now?.sampled_at) ? s : undefined;
        },
        { what: `two samples of ${name} under load`, timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(stats.vm_id).toBe(name);
      expectNear(stats.now?.cpu.used, load.cpu, `${name} cpu`);
      expectNear(stats.now?.net.rx_bytes_per_s, load.netRx, `${name} net rx`);
      expectNear(stats.now?.net.tx_bytes_per_s, load.netTx, `${name} net tx`);
      expect(stats.history.vm.cpu_used?.some((x) => x !== null)).toBe(true);
    }

    // The hosts: their summaries (from heartbeats) and their stats (from their agents).
    const hostIds = new Set(env.vms.map((v) => v.host_id as string));
    for (const hostId of hostIds) {
      const onHost = Object.entries(LOADS).filter(
        ([name]) => env.vms.find((v) => v.id === name)?.host_id === hostId,
      );
      const stats = await json<HostStats>(c.call('GET', `/v1/hosts/${hostId}/stats?since=1m`));
      const cpus = stats.now?.cpu.count ?? 0;
      expect(cpus).toBeGreaterThan(0);
      const busyCpus = onHost.reduce((sum, [, l]) => sum + l.cpu, 0);
      // A heartbeat carries a summary only when it moved past the agent's thresholds; the move
      // is settled by the next sample (the first under load may cover part of an interval), so
      // the summary the controller holds comes within 10% of the load.
      const expectedPercent = (busyCpus / cpus) * 100;
      await waitFor(
        async () => {
          const h = await json<Host>(c.call('GET', `/v1/hosts/${hostId}`));
          const at = h.usage?.sampled_at;
          const cpu = h.usage?.cpu_percent ?? -100;
          const near = Math.abs(cpu - expectedPercent) <= expectedPercent * 0.1;
          return at && Date.parse(at) > loadedAt && near ? h : undefined;
        },
        {
          what: `a usage summary of ${hostId} within 10% of ${expectedPercent} % CPU`,
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      );
      // The idle baseline (0.01 CPU of the host) is within the 10%.
      expectNear((stats.now?.cpu.busy ?? 0) * cpus, busyCpus, `${hostId} busy CPUs`);
      // Each VM's VNIC is among the host's links, under the VM's name.
      for (const [name, load] of onHost) {
        const link = stats.now?.links.find((l) => l.vm_id === name);
        expectNear(link?.rx_bytes_per_s, load.netRx, `${name} VNIC rx on ${hostId}`);
      }
    }

    const top = await run([bins.cli, 'vms', 'top', '--json'], {
      APIARY_URL: c.url,
      APIARY_API_KEY: c.bootstrap.adminApiKey,
      APIARY_CA: c.certFile,
    });
    expect(top.code, top.stderr).toBe(0);
    const rows = JSON.parse(top.stdout) as Array<{
      id: string;
      cpu_used: number | null;
      net_rx_bytes_per_s: number | null;
      net_tx_bytes_per_s: number | null;
    }>;
    // Sorted by CPU: busy-0 (1.5 of 2 vCPUs) before busy-1 (0.5 of 2).
    expect(rows.map((r) => r.id)).toEqual(['busy-0', 'busy-1']);
    for (const row of rows) {
      const load = LOADS[row.id as keyof typeof LOADS];
      expectNear(row.cpu_used, load.cpu, `top ${row.id} cpu`);
      expectNear(row.net_rx_bytes_per_s, load.netRx, `top ${row.id} net rx`);
      expectNear(row.net_tx_bytes_per_s, load.netTx, `top ${row.id} net tx`);
    }
  }, 240_000);
});
