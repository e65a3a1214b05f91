import { readState, runCommand } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

const image = buildZfsImage();
let t: SimAgent;

beforeAll(async () => {
  t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.createVm({ body: { id: 'bg-0', env_id: 'bg', image: 'box', ports: [80] } });
  await t.settle();
});

const host = (...argv: string[]) => runCommand({ argv, root: t.simRoot });

describe('the background pass', () => {
  it('puts back outbound NAT and port forwards the kernel lost (IP Filter refreshed)', async () => {
    const before = [...readState(t.simRoot).ipfilter.global.nat];
    expect(before.filter((r) => r.startsWith('rdr'))).toHaveLength(2);
    await host('ipnat', '-C');
    expect(readState(t.simRoot).ipfilter.global.nat).toEqual([]);
    await t.agent.tick();
    expect([...readState(t.simRoot).ipfilter.global.nat].sort()).toEqual([...before].sort());
  });

  it('removes forwards to the private network that belong to no VM', async () => {
    await runCommand({
      argv: ['ipnat', '-f', '-'],
      root: t.simRoot,
      stdin: 'rdr e1000g0 0.0.0.0/0 port 45555 -> 10.213.0.77 port 22 tcp\n',
    });
    await t.agent.tick();
    expect(readState(t.simRoot).ipfilter.global.nat.some((r) => r.includes('45555'))).toBe(false);
  });

  it('notices a guest that powered itself off, and bumps the generation', async () => {
    const before = await t.api.getVm({ params: { id: 'bg-0' } });
    await host('zoneadm', '-z', 'bg-0', 'halt');
    await t.agent.tick();
    const row = t.agent.db.$client
      .prepare('select state, generation from vms where id = ?')
      .get('bg-0') as {
      state: string;
      generation: number;
    };
    expect(row.state).toBe('stopped');
    expect(row.generation).toBeGreaterThan(before.generation);
  });

  it('marks a VM whose zone vanished as failed, never as gone', async () => {
    await host('zoneadm', '-z', 'bg-0', 'uninstall', '-F');
    await host('zonecfg', '-z', 'bg-0', 'delete', '-F');
    await t.agent.tick();
    const vm = await t.api.getVm({ params: { id: 'bg-0' } });
    expect(vm.state).toBe('failed');
    expect(vm.error?.code).toBe('zone_missing');
  });
});
