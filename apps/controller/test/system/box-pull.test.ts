import { createHash } from 'node:crypto';
import type {
  AgentVm,
  Env,
  Image,
  ImageOperationAccepted,
  Vm,
  VmOperation,
} from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  sampleImage,
  sshKey,
  waitFor,
} from '@apiary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { type FileServer, startFileServer } from '../helpers/file-server.js';
import { buildBox, catalog } from '../helpers/vagrant-box.js';
import { fleetForFile } from './file-fleet.js';

/*
 * A box from a registry to a running VM (issue 16): a local registry speaking the Vagrant box
 * catalog format serves a `.box` built here around a `zfs send` stream; the built controller
 * program pulls it (checksum checked, archive unpacked) and a VM is made from it on a real
 * agent on a simulated OmniOS host.
 */

let c: ControllerDaemon;
let agent: AgentDaemon;
let registry: FileServer;
let stream: Buffer;

fleetForFile(
  { agents: 1, controllerArgs: ['--heartbeat-interval-ms', '1000'] },
  async (fleet) => {
    c = fleet.controller;
    agent = fleet.agents[0] as AgentDaemon;
    registry = await startFileServer();
    stream = (await sampleImage('debian-box')).stream;
    const box = await buildBox([
      { name: 'metadata.json', body: JSON.stringify({ provider: 'bhyve', architecture: 'amd64' }) },
      { name: 'box.zss', body: stream },
    ]);
    registry.files.set('/acme/debian', {
      body: Buffer.from(
        JSON.stringify(
          catalog('acme/debian', [
            {
              version: '12.1.0',
              providers: [
                {
                  name: 'bhyve',
                  url: '/boxes/debian-12.1.0.box',
                  checksum: createHash('sha256').update(box).digest('hex'),
                  checksum_type: 'sha256',
                },
              ],
            },
          ]),
        ),
      ),
    });
    registry.files.set('/boxes/debian-12.1.0.box', { body: box });
  },
  180_000,
);
afterAll(() => registry?.close());

describe('a VM from a Vagrant box, through the controller program on a real agent', () => {
  it('pulls the box into an image and boots a VM from it', async () => {
    const add = await c.call('POST', '/v1/registries', { name: 'acme', url: registry.url });
    expect(add.status, await add.clone().text()).toBe(201);
    const pulled = await c.call('POST', '/v1/images/pull-box', {
      registry: 'acme',
      box: 'acme/debian',
    });
    expect(pulled.status, await pulled.clone().text()).toBe(202);
    const { operation } = (await pulled.json()) as ImageOperationAccepted;
    let op = operation;
    await waitFor(
      async () => {
        op = (await (await c.call('GET', `/v1/operations/${operation.id}`)).json()) as VmOperation;
        return op.state !== 'running';
      },
      { what: 'the pull to end', timeoutMs: 120_000, intervalMs: 100 },
    );
    expect(op).toMatchObject({ kind: 'pull_box', state: 'succeeded' });
    const image = (await (
      await c.call('GET', `/v1/images/${op.result?.image_digest}`)
    ).json()) as Image;
    expect(image).toMatchObject({
      name: 'acme-debian',
      format: 'zfs-send',
      digest: `sha256:${createHash('sha256').update(stream).digest('hex')}`,
      source_format: 'box',
      box: { name: 'acme/debian', version: '12.1.0', provider: 'bhyve' },
    });

    const res = await c.call('POST', '/v1/envs', {
      id: 'boxed',
      ssh_keys: [sshKey()],
      vms: [{ image: 'acme-debian', disk: 4096, cpu: 1, mem: 1024 }],
    });
    expect(res.status, await res.clone().text()).toBe(202);
    await waitFor(
      async () =>
        ((await (await c.call('GET', '/v1/envs/boxed')).json()) as Env).state === 'active',
      { what: 'the environment to be active', timeoutMs: 120_000, intervalMs: 250 },
    );
    const vm = (await (await c.call('GET', '/v1/vms/boxed-0')).json()) as Vm;
    expect(vm).toMatchObject({ state: 'running', image_digest: image.digest, disk: 4096 });
    const key = await agent.createKey('viewer');
    const onHost = (
      (await (
        await agent.fetch('/api/vms', { headers: { authorization: `Bearer ${key}` } })
      ).json()) as { items: AgentVm[] }
    ).items;
    expect(onHost).toHaveLength(1);
    expect(onHost[0]).toMatchObject({ state: 'running', disk: 4096 });
  });
});
