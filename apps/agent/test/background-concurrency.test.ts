import { addFault, readState, runCommand } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { reconcileForwards } from '../src/vms/reconcile.js';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * The reconciliation pass (port forwards against the database) runs next to VM operations. It
 * must never wait for a long operation, nor make operations wait for one; and it must never put
 * back the forwards of a VM whose delete removes them at the same moment.
 */

const image = buildZfsImage();
let t: SimAgent;
let baseline: ReturnType<typeof hostSnapshot>;

beforeAll(async () => {
  t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  baseline = hostSnapshot(t.simRoot);
});

const pass = () =>
  reconcileForwards({
    db: t.agent.db,
    exec: t.agent.exec,
    log: t.agent.deps.log,
    layout: t.agent.deps.layout,
    runner: t.agent.runner,
  });

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 3000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const opState = async (id: string) => (await t.api.getOperation({ params: { id } })).state;
const rdrTo = (ip: string) =>
  readState(t.simRoot).ipfilter.global.nat.filter((r) => r.startsWith('rdr') && r.includes(ip));

describe('the forwards pass and VM operations', () => {
  it('neither waits for a long create nor holds up another VM’s stop', async () => {
    await t.api.createVm({ body: { id: 'quick-0', env_id: 'c', image: 'box' } });
    await t.settle();
    await addFault(t.simRoot, { match: 'zoneadm -z slow-0 install', count: 1, hang_ms: 8000 });
    const { operation: slow } = await t.api.createVm({
      body: { id: 'slow-0', env_id: 'c', image: 'box' },
    });
    await until(
      async () => (await t.api.getOperation({ params: { id: slow.id } })).step === 'install',
      'the create to reach install',
    );
    const reconciled = pass();
    const { operation: stop } = await t.api.stopVm({ params: { id: 'quick-0' } });
    await until(async () => (await opState(stop.id)) === 'succeeded', 'the stop');
    await reconciled;
    // Both finished while the create was still held at its install.
    expect(await opState(slow.id)).toBe('running');
    await t.settle();
    expect(await opState(slow.id)).toBe('succeeded');
    for (const id of ['quick-0', 'slow-0']) await t.api.deleteVm({ params: { id } });
    await t.settle();
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });

  it('does not put back the forwards of a VM deleted while it restores lost ones', async () => {
    await t.api.createVm({ body: { id: 'del-0', env_id: 'c', image: 'box', ports: [80] } });
    await t.settle();
    const ip = (await t.api.getVm({ params: { id: 'del-0' } })).ip as string;
    expect(rdrTo(`${ip} `)).toHaveLength(2);
    // The kernel lost the VM's forwards, so the pass will restore them...
    const lost = await runCommand({
      argv: ['ipnat', '-r', '-f', '-'],
      root: t.simRoot,
      stdin: `${rdrTo(`${ip} `).join('\n')}\n`,
    });
    expect(lost.exitCode).toBe(0);
    expect(rdrTo(`${ip} `)).toEqual([]);
    // ...slowly: its `ipnat -f -` hangs a while.
    await addFault(t.simRoot, { match: 'ipnat -f -', count: 1, hang_ms: 1500 });
    const reconciled = pass();
    await new Promise((r) => setTimeout(r, 200));
    // Meanwhile the VM is deleted: its forwards must not outlive it.
    await t.api.deleteVm({ params: { id: 'del-0' } });
    await reconciled;
    await t.settle();
    expect(rdrTo(`${ip} `)).toEqual([]);
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });
});
