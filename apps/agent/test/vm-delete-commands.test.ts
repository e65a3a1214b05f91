import { addFault } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostSnapshot } from './helpers/host-snapshot.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';

/*
 * What a delete asks the host (issue 18: the agent's own overhead). A delete walks halt,
 * uninstall, `zonecfg delete`: the zone's state is listed once, before the first verb; each
 * later step knows it from the verb before it. A verb that failed leaves nothing known, so the
 * step's retry asks the host again.
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

async function created(id: string) {
  await t.api.createVm({ body: { id, env_id: 'del', image: 'box', ports: [80], ssh_keys: [] } });
  await t.settle();
  expect((await t.api.getVm({ params: { id } })).state).toBe('running');
}

/** Deletes `id`; returns the commands the delete ran, as command lines. */
async function deleted(id: string): Promise<string[]> {
  const mark = t.commands().length;
  const { operation } = await t.api.deleteVm({ params: { id } });
  await t.settle();
  const op = await t.api.getOperation({ params: { id: operation.id } });
  expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
  return t
    .commands()
    .slice(mark)
    .map((c) => c.argv.join(' '));
}

describe('delete', () => {
  it("lists the VM's zone once, and leaves the host as it was", async () => {
    await created('del-0');
    const commands = await deleted('del-0');
    expect(commands.filter((c) => c === 'zoneadm -z del-0 list -p')).toHaveLength(1);
    expect(commands).toContain('zoneadm -z del-0 halt');
    expect(commands).toContain('zoneadm -z del-0 uninstall -F');
    expect(commands).toContain('zonecfg -z del-0 delete -F');
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });

  it('asks the host again after an uninstall that failed, and still takes the zone apart', async () => {
    await created('del-1');
    await addFault(t.simRoot, {
      match: 'zoneadm -z del-1 uninstall -F',
      count: 1,
      exit_code: 1,
      stderr: 'zoneadm: zone del-1: simulated failure\n',
    });
    const commands = await deleted('del-1');
    // The failed uninstall told nothing: its retry listed the zone (still installed) and
    // uninstalled it; only then did the configuration go.
    expect(commands.filter((c) => c === 'zoneadm -z del-1 list -p')).toHaveLength(2);
    expect(commands.filter((c) => c === 'zoneadm -z del-1 uninstall -F')).toHaveLength(2);
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });
});
