import { clearLoad, runCommand, setLoad } from '@apiary/illumos-sim';
import { ApiError, HeartbeatReq } from '@apiary/protocol';
import { promtoolCheck } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import type { AgentOptions } from '../src/agent.js';
import { seedRunningZones } from './helpers/seed-zones.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * Usage sampling end to end: the agent's real code against the simulated host, whose kstat
 * counters advance with the load a test sets on its zones.
 */

const MIB = 1024 * 1024;

/** An agent on a host with `ids` running as its VMs (seeded, then adopted at a restart). */
async function agentWithVms(
  ids: string[],
  init = { cpus: 64, ram: '256G' },
  agent: AgentOptions = {},
) {
  const first = await simAgent({ init });
  await first.agent.stop();
  await seedRunningZones(first.simRoot, ids, 10);
  return simAgent({ simRoot: first.simRoot, dataDir: first.dataDir, agent });
}

/** The host commands one sample runs. */
async function sampleCommands(t: SimAgent): Promise<string[]> {
  const mark = t.commands().length;
  await t.agent.stats.sample();
  return t
    .commands()
    .slice(mark)
    .map((c) => c.argv.join(' '));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const within = (actual: number | null | undefined, expected: number, tolerance = 0.01) => {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected) / expected).toBeLessThan(tolerance);
};

describe('usage sampling on a simulated host', () => {
  it('runs the same single kstat command per sample for 1 VM as for 50', async () => {
    const one = await agentWithVms(['solo']);
    await one.agent.stats.sample();
    const forOne = await sampleCommands(one);
    expect(one.agent.stats.current()?.vms.size).toBe(1);
    await one.agent.stop();

    const ids = Array.from({ length: 50 }, (_, i) => `many-${i}`);
    const fifty = await agentWithVms(ids);
    await fifty.agent.stats.sample();
    const forFifty = await sampleCommands(fifty);
    const now = fifty.agent.stats.current();
    expect([...(now?.vms.values() ?? [])].filter((v) => v.running)).toHaveLength(50);
    expect(now?.host.links.filter((l) => l.vm_id !== null)).toHaveLength(50);

    expect(forOne).toHaveLength(1);
    expect(forOne[0]).toMatch(/^kstat -p /);
    expect(forFifty).toEqual(forOne);
  }, 300_000);

  it('gives the rates set on two zones (cpu, net rx/tx) within 1%', async () => {
    const t = await agentWithVms(['busy', 'calm'], { cpus: 8, ram: '32G' });
    await setLoad(t.simRoot, 'busy', { cpu: 1.5, netRx: 4 * MIB, netTx: 512 * 1024 });
    await setLoad(t.simRoot, 'calm', { cpu: 0.25, netRx: 64 * 1024, netTx: 1 * MIB });
    await t.agent.stats.sample();
    await sleep(1500);
    const now = await t.agent.stats.sample();
    const busy = now.vms.get('busy');
    const calm = now.vms.get('calm');
    within(busy?.cpu.used, 1.5);
    within(busy?.cpu.busy, 0.75);
    within(busy?.net.rx_bytes_per_s, 4 * MIB);
    within(busy?.net.tx_bytes_per_s, 512 * 1024);
    within(calm?.cpu.used, 0.25);
    within(calm?.net.rx_bytes_per_s, 64 * 1024);
    within(calm?.net.tx_bytes_per_s, 1 * MIB);
    // The host: both zones and the kernel's idle baseline (0.01 CPU) over 8 CPUs.
    within(now.host.cpu.busy, (1.5 + 0.25 + 0.01) / 8);
    expect(now.host.cpu.per_cpu).toHaveLength(8);
    // An idle pool writes its txg syncs: 4 KiB/s in the simulator.
    within(now.host.pools.find((p) => p.pool === 'rpool')?.write_bytes_per_s, 4096);
    // physmem: what the kernel manages, a little under the RAM installed.
    expect(now.host.memory.total_bytes).toBeGreaterThan(30 * 1024 * MIB);
    expect(now.host.memory.total_bytes).toBeLessThanOrEqual(32 * 1024 * MIB);
    expect(now.host.memory.used_bytes).toBe(
      now.host.memory.total_bytes - now.host.memory.free_bytes,
    );
    expect(now.summary?.cpu_percent).toBeCloseTo(((1.5 + 0.25 + 0.01) / 8) * 100, 0);
  }, 300_000);

  it('measures a VM rebooted between samples from its boot: no negative or huge rate', async () => {
    const t = await agentWithVms(['bouncy'], { cpus: 8, ram: '32G' });
    await setLoad(t.simRoot, 'bouncy', { cpu: 2, netRx: MIB });
    await t.agent.stats.sample();
    await sleep(1200);
    // Its zone kstats are made anew under a new zone id, counting from zero.
    const reboot = await runCommand({
      argv: ['zoneadm', '-z', 'bouncy', 'reboot'],
      root: t.simRoot,
    });
    expect(reboot.exitCode).toBe(0);
    await sleep(800);
    const after = (await t.agent.stats.sample()).vms.get('bouncy');
    expect(after?.running).toBe(true);
    within(after?.cpu.used, 2);
    // The VNIC outlives the reboot and keeps counting.
    within(after?.net.rx_bytes_per_s, MIB);

    await runCommand({ argv: ['zoneadm', '-z', 'bouncy', 'halt'], root: t.simRoot });
    const halted = (await t.agent.stats.sample()).vms.get('bouncy');
    expect(halted).toMatchObject({ running: false, cpu: { used: 0 } });
    await clearLoad(t.simRoot, 'bouncy');
  }, 300_000);
});

describe('stats over HTTP and Prometheus', () => {
  it('answers /stats with a key (200) and refuses it without one (401)', async () => {
    // Samples every 10 s in the background: history at that resolution.
    const t = await agentWithVms(['web'], { cpus: 8, ram: '32G' }, { statsIntervalMs: 10_000 });
    await setLoad(t.simRoot, 'web', { cpu: 1, netTx: MIB });
    await sleep(300);
    await t.agent.stats.sample();

    const ok = await t.fetch('http://agent.test/stats', {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(ok.status).toBe(200);
    const anonymous = await t.fetch('http://agent.test/stats');
    expect(anonymous.status).toBe(401);
    const forged = await t.fetch('http://agent.test/stats', {
      headers: { authorization: `Bearer wh_${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(401);

    // The typed client checks every answer against its schema.
    const summary = await t.api.statsSummary();
    expect(summary.now?.cpu.busy).toBeGreaterThan(0);
    const host = await t.api.hostStats({ query: { since: '10m' } });
    expect(host.history.step_s).toBe(10);
    expect(host.history.t).toHaveLength(61);
    expect(host.history.host.cpu_busy?.some((v) => v !== null)).toBe(true);
    const vm = await t.api.vmStats({ params: { id: 'web' }, query: {} });
    expect(vm.now?.net.links.map((l) => l.link)).toEqual(['apiary10n0']);
    expect(vm.now?.memory.configured_bytes).toBe(256 * MIB);
    await expect(t.api.vmStats({ params: { id: 'nope' }, query: {} })).rejects.toMatchObject({
      status: 404,
    });
    await expect(t.api.hostStats({ query: { step: 'soon' } })).rejects.toBeInstanceOf(ApiError);
    // What a heartbeat would carry is a valid part of the heartbeat schema.
    expect(HeartbeatReq.safeParse({ generation: 1, usage: summary.usage }).success).toBe(true);
  }, 300_000);

  it('exposes the sampled usage at /metrics in a form promtool accepts', async () => {
    const t = await agentWithVms(['db1'], { cpus: 4, ram: '16G' });
    await setLoad(t.simRoot, 'db1', { cpu: 0.5, netRx: MIB, diskWrite: MIB });
    await t.agent.stats.sample();
    await sleep(500);
    await t.agent.stats.sample();
    const before = t.commands().length;
    const text = await (await t.fetch('http://agent.test/metrics')).text();
    expect(t.commands().length).toBe(before);
    expect(text).toMatch(
      /^apiary_agent_host_cpu_seconds_total\{host="[^"]+",cpu="0",mode="idle"\} /m,
    );
    expect(text).toMatch(/^apiary_agent_vm_cpu_seconds_total\{host="[^"]+",vm="db1"\} [0-9.e-]+$/m);
    expect(text).toMatch(
      /^apiary_agent_link_receive_bytes_total\{host="[^"]+",link="apiary10n0",vm="db1"\} /m,
    );
    expect(text).toMatch(/^apiary_agent_pool_written_bytes_total\{host="[^"]+",pool="rpool"\} /m);
    expect(text).toMatch(/^apiary_agent_host_memory_physical_bytes\{host="[^"]+"\} \d{11}$/m);
    expect(text).toMatch(
      /^apiary_agent_vm_memory_configured_bytes\{host="[^"]+",vm="db1"\} 268435456$/m,
    );
    expect(promtoolCheck(text)).toBe('');
  }, 300_000);
});
