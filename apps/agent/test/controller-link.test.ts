import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '@apiary/protocol';
import { silentLogger } from '@apiary/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { ControllerLink } from '../src/controller/controller-link.js';
import { fakeController } from './helpers/fake-controller.js';
import { tempDir } from './helpers/temp.js';

const waitFor = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

let links: ControllerLink[] = [];
afterEach(async () => {
  await Promise.all(links.map((l) => l.stop()));
  links = [];
});

function setup(
  dir = tempDir('link'),
  controller = fakeController({ [`sha256:${'a'.repeat(64)}`]: Buffer.from('0123456789abc') }),
  urls = ['http://controller.test:9200'],
) {
  const licenseFile = join(dir, 'license');
  writeFileSync(licenseFile, 'lic_0123456789abcdef0123\n');
  let generation = 1;
  let minted = 0;
  const inventory = (): Inventory => ({
    generation,
    resources: { total: { cpu: 8, mem: 16384, disk: 100000 }, used: { cpu: 0, mem: 0, disk: 0 } },
    images: [],
    vms: [],
  });
  const link = new ControllerLink({
    urls,
    licenseKeyFile: licenseFile,
    dataDir: dir,
    hostId: 'host_abcdefghijkl',
    hostname: 'omni1',
    addr: () => 'http://10.0.0.5:9100',
    publicAddr: null,
    storage: 'zvol',
    log: silentLogger(),
    inventory,
    mintControllerKey: () => `wh_${String(++minted).padStart(64, '0')}`,
    fetch: controller.fetch,
    maxBackoffMs: 200,
  });
  links.push(link);
  return { dir, link, controller, bump: () => generation++ };
}

describe('ControllerLink', () => {
  it('fails over to the next controller of the installation when one cannot be reached', async () => {
    const controller = fakeController({});
    const reachable: typeof fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.hostname === 'down.test') {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      }
      return controller.fetch(input, init);
    };
    const dir = tempDir('link');
    const { link } = setup(dir, { ...controller, fetch: reachable }, [
      'http://down.test:9200',
      'http://controller.test:9200',
    ]);
    link.start();
    await waitFor(() => link.status().registered);
    expect(link.status().url).toBe('http://controller.test:9200');
    expect(controller.state.registrations).toHaveLength(1);
    // Restarted with the list the other way round, it presents the credential it kept.
    await link.stop();
    const again = setup(dir, { ...controller, fetch: reachable }, [
      'http://controller.test:9200',
      'http://down.test:9200',
    ]);
    again.link.start();
    await waitFor(() => controller.state.registrations.length >= 2);
    expect(controller.state.registrations[1]?.presented).toBe(controller.state.credential);
  });

  it('registers with the license key as its bearer token, a minted agent key and the inventory', async () => {
    const { link, controller, dir } = setup();
    link.start();
    await waitFor(() => controller.state.registrations.length === 1);
    const reg = controller.state.registrations[0]!;
    expect(reg).toMatchObject({
      bearer: 'lic_0123456789abcdef0123',
      host_id: 'host_abcdefghijkl',
      addr: 'http://10.0.0.5:9100',
      engines: ['bhyve'],
      storage: 'zvol',
    });
    expect(reg.agent_api_key).toMatch(/^wh_/);
    expect(reg.inventory.generation).toBe(1);
    await waitFor(() => link.status().registered);
    expect(statSync(join(dir, 'controller-credential.json')).mode & 0o777).toBe(0o600);
  });

  it('heartbeats without the inventory until the generation changes', async () => {
    const { link, controller, bump } = setup();
    link.start();
    await waitFor(() => controller.state.heartbeats.length >= 2);
    expect(controller.state.heartbeats.every((h) => h.inventory === undefined)).toBe(true);
    bump();
    link.notify();
    await waitFor(() => controller.state.heartbeats.some((h) => h.inventory?.generation === 2));
    const after = controller.state.heartbeats.length;
    await waitFor(() => controller.state.heartbeats.length >= after + 2);
    expect(controller.state.heartbeats.slice(after).every((h) => h.inventory === undefined)).toBe(
      true,
    );
  });

  it('registers again when the controller forgets the host', async () => {
    const { link, controller } = setup();
    link.start();
    await waitFor(() => controller.state.heartbeats.length >= 1);
    controller.state.forget = true;
    await waitFor(() => controller.state.registrations.length === 2);
    expect(controller.state.registrations[1]!.agent_api_key).not.toBe(
      controller.state.registrations[0]!.agent_api_key,
    );
    await waitFor(() => controller.state.heartbeats.length >= 2);
  });

  it('keeps retrying while the controller is away and resumes when it is back', async () => {
    const { link, controller } = setup();
    controller.state.down = true;
    link.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(link.status().registered).toBe(false);
    controller.state.down = false;
    await waitFor(() => link.status().registered, 5000);
    expect(controller.state.registrations).toHaveLength(1);
  });

  it('deregisters on stop and keeps its credential for the next start', async () => {
    const { link, controller, dir } = setup();
    link.start();
    await waitFor(() => link.status().registered);
    await link.stop();
    expect(controller.state.deregistered).toBe(1);
    expect(link.status().registered).toBe(false);
    expect(readFileSync(join(dir, 'controller-credential.json'), 'utf8')).toContain('cred-1');
  });

  it('registers at every start, proving itself with the credential it saved', async () => {
    const first = setup();
    first.link.start();
    await waitFor(() => first.link.status().registered);
    expect(first.controller.state.registrations[0]?.presented).toBeUndefined();
    await first.link.stop();

    const second = setup(first.dir, first.controller);
    second.link.start();
    await waitFor(() => first.controller.state.registrations.length === 2);
    expect(first.controller.state.registrations[1]).toMatchObject({
      bearer: 'lic_0123456789abcdef0123',
      presented: 'cred-1',
    });
    await waitFor(() => first.controller.state.heartbeats.length >= 1);
    expect(first.controller.state.credential).toBe('cred-1');
  });

  it('takes a rotated credential from a heartbeat answer, on disk before it uses it', async () => {
    const { link, controller, dir } = setup();
    link.start();
    await waitFor(() => controller.state.heartbeats.length >= 1);
    controller.state.rotateTo = 'cred-rotated';
    await waitFor(() => controller.state.credential === 'cred-rotated');
    const after = controller.state.heartbeats.length;
    // Accepted only with the new credential: the link switched to it.
    await waitFor(() => controller.state.heartbeats.length >= after + 2);
    expect(readFileSync(join(dir, 'controller-credential.json'), 'utf8')).toContain('cred-rotated');
    expect(controller.state.registrations).toHaveLength(1);
  });

  it('when its credential is refused, keeps asking with it and is let in only after a reset', async () => {
    const { link, controller } = setup();
    link.start();
    await waitFor(() => controller.state.heartbeats.length >= 1);
    // Revoked: the controller takes no credential and no registration without one.
    controller.state.credential = null;
    controller.state.requireCredential = true;
    await waitFor(() => controller.state.registrations.length >= 3);
    const refused = controller.state.registrations.slice(1);
    expect(refused.every((r) => r.presented === 'cred-1')).toBe(true);
    // Refused attempts reuse one minted key instead of minting one each.
    expect(new Set(refused.map((r) => r.agent_api_key)).size).toBe(1);
    expect(link.status().registered).toBe(false);
    // The operator's reset opens one registration.
    controller.state.requireCredential = false;
    await waitFor(() => link.status().registered);
    const beats = controller.state.heartbeats.length;
    await waitFor(() => controller.state.heartbeats.length > beats);
  });

  it('downloads images with the host credential and a Range header to resume', async () => {
    const { link, controller } = setup();
    link.start();
    await waitFor(() => link.status().registered);
    const res = await link.download(`sha256:${'a'.repeat(64)}`, 10);
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('abc');
    expect(controller.state.downloads.map((d) => d.range)).toEqual(['bytes=10-']);
  });
});
