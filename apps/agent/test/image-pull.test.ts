import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readState } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { fakeController } from './helpers/fake-controller.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';
import { tempDir } from './helpers/temp.js';

const image = buildZfsImage({ content: 'pulled disk\n' });

async function linkedAgent(images: Record<string, Buffer>) {
  const controller = fakeController(images);
  const dir = tempDir('lic');
  const license = join(dir, 'license');
  writeFileSync(license, 'lic_0123456789abcdef0123\n', { mode: 0o600 });
  const t = await simAgent({
    flags: ['--controller', 'https://controller.test:9200', '--license-key-file', license],
    agent: { fetch: controller.fetch },
  });
  for (let i = 0; i < 100 && !t.agent.link?.status().registered; i++)
    await new Promise((r) => setTimeout(r, 50));
  return { t, controller };
}

describe('images pulled from the controller', () => {
  it('pulls a missing image by digest when a VM needs it, verifies and imports it', async () => {
    const { t, controller } = await linkedAgent({ [image.digest]: image.stream });
    expect(t.agent.link?.status().registered).toBe(true);
    await t.api.createVm({ body: { id: 'pull-0', env_id: 'pull', image: image.digest } });
    await t.settle();
    expect((await t.api.getVm({ params: { id: 'pull-0' } })).state).toBe('running');
    expect(controller.state.downloads.map((d) => d.digest)).toEqual([image.digest]);
    const hex = image.digest.slice(7);
    expect(readState(t.simRoot).datasets[`rpool/apiary/vms/pull-0/disk0`]?.origin).toBe(
      `rpool/apiary/images/${hex}@base`,
    );
    // The controller hears about it: the next inventory lists the image and the VM.
    const inventoryHas = () =>
      controller.state.heartbeats.some(
        (h) =>
          h.inventory?.images.includes(image.digest as never) &&
          h.inventory.vms.some((v) => v.id === 'pull-0' && v.state === 'running'),
      );
    for (let i = 0; i < 100 && !inventoryHas(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(inventoryHas()).toBe(true);
  }, 60_000);

  it('resumes an interrupted download with Range', async () => {
    const { t, controller } = await linkedAgent({ [image.digest]: image.stream });
    controller.state.cutAfter = 100;
    const pulled = await t.api.pullImage({ body: { digest: image.digest, name: 'pulled' } });
    expect(pulled).toMatchObject({
      digest: image.digest,
      name: 'pulled',
      size: image.stream.length,
    });
    expect(controller.state.downloads.map((d) => d.range)).toEqual([undefined, 'bytes=100-']);
  }, 60_000);

  it('refuses content that does not match its digest and imports nothing', async () => {
    const wrong = `sha256:${'1'.repeat(64)}`;
    const { t } = await linkedAgent({ [wrong]: image.stream });
    const before = Object.keys(readState(t.simRoot).datasets);
    const error = await t.api.pullImage({ body: { digest: wrong } }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(Object.keys(readState(t.simRoot).datasets)).toEqual(before);
    expect((await t.api.listImages()).total).toBe(0);
  }, 60_000);

  it('fails the create (and leaves nothing) when the controller does not have the image', async () => {
    const { t } = await linkedAgent({});
    const missing = `sha256:${'2'.repeat(64)}`;
    await t.api.createVm({ body: { id: 'nopull-0', env_id: 'nopull', image: missing } });
    await t.settle();
    const vm = await t.api.getVm({ params: { id: 'nopull-0' } });
    expect(vm.state).toBe('failed');
    expect(vm.error?.msg).toMatch(/^image: /);
    expect(readState(t.simRoot).zones).toEqual([]);
  }, 60_000);
});
