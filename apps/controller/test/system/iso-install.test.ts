import { runCommand } from '@apiary/illumos-sim';
import type { AgentVm, ConsoleTicket, Env, Host, Image, Vm } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { WsReader } from './ws-reader.js';

/*
 * An ISO install through the whole path (issue 13): an ISO uploaded to the built controller
 * program, a VM created from it with an empty boot disk on a real agent (which pulls the ISO by
 * digest) on a simulated OmniOS host, the zone booting its CD-ROM first, and its VNC console
 * open for the person installing by hand.
 */

let c: ControllerDaemon;
let agent: AgentDaemon;
let iso: Image;
const VM = 'inst-0';
/** Any bytes make an ISO: nothing on the way reads them as a zfs stream. */
const ISO_BYTES = new TextEncoder().encode(`${'\0'.repeat(32768)}\u0001CD001\u0001 apiary test`);

fleetForFile(
  { agents: 1, controllerArgs: ['--heartbeat-interval-ms', '1000'] },
  async (fleet) => {
    c = fleet.controller;
    agent = fleet.agents[0] as AgentDaemon;
    await uploadSampleImage(c.admin, 'alpine-cloud');
    iso = await c.admin.uploadImage({
      query: { name: 'debian-12', format: 'iso' },
      body: ISO_BYTES,
      contentLength: ISO_BYTES.length,
    });
  },
  180_000,
);

async function envState(id: string): Promise<string> {
  return ((await (await c.call('GET', `/v1/envs/${id}`)).json()) as Env).state;
}

async function reservedDisk(): Promise<number> {
  const host = (await (await c.call('GET', `/v1/hosts/${agent.hostId}`)).json()) as Host;
  return host.capacity.reserved.disk;
}

describe('a VM installed from an ISO, through the controller on a real agent', () => {
  it('refuses bad boot sources with a 400 and creates nothing', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ disk: 8192 }, /give an image, or boot_iso/],
      [{ image: 'alpine-cloud', boot_iso: 'debian-12' }, /not both/],
      [{ image: 'debian-12' }, /debian-12 is an ISO/],
      [{ boot_iso: 'alpine-cloud', disk: 8192 }, /alpine-cloud is a disk image/],
    ];
    for (const [vm, msg] of cases) {
      const res = await c.call('POST', '/v1/envs', { id: 'bad', ssh_keys: [sshKey()], vms: [vm] });
      expect(res.status, JSON.stringify(vm)).toBe(400);
      expect(((await res.json()) as { msg: string }).msg).toMatch(msg);
    }
    expect((await c.call('GET', '/v1/envs/bad')).status).toBe(404);
    expect(await reservedDisk()).toBe(0);
  });

  it('boots the ISO first on an empty disk of the given size', async () => {
    const res = await c.call('POST', '/v1/envs', {
      id: 'inst',
      ssh_keys: [sshKey()],
      vms: [{ boot_iso: 'debian-12', disk: 8192, cpu: 1, mem: 1024 }],
    });
    expect(res.status, await res.clone().text()).toBe(202);
    await waitFor(async () => (await envState('inst')) === 'active', {
      what: 'the ISO environment to be active',
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    const vm = (await (await c.call('GET', `/v1/vms/${VM}`)).json()) as Vm;
    expect(vm).toMatchObject({
      state: 'running',
      boot_iso: true,
      image: 'debian-12',
      image_digest: iso.digest,
      disk: 8192,
    });
    expect(await reservedDisk()).toBe(8192);

    // The agent's own view: the ISO (pulled by digest) in the CD-ROM.
    const key = await agent.createKey('viewer');
    const list = (await (
      await agent.fetch('/api/vms', { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { items: AgentVm[] };
    const onHost = list.items.find((v) => v.cdrom === iso.digest);
    expect(onHost).toMatchObject({ state: 'running', disk: 8192 });

    // The zone itself: the CD-ROM attr, and bootorder putting it before the (empty) disk.
    const zone = onHost?.id as string;
    const attrs = await runCommand({
      argv: ['zonecfg', '-z', zone, 'info', 'attr'],
      root: agent.simDir,
    });
    expect(attrs.exitCode, attrs.stderr).toBe(0);
    expect(attrs.stdout).toMatch(/name: bootorder\n\s+type: string\n\s+value: cdrom0,bootdisk/);
    expect(attrs.stdout).toMatch(/name: cdrom\n\s+type: string\n\s+value: \/\S+\.iso/);

    // The host now holds the ISO: placement prefers it for the next install.
    await waitFor(
      async () => {
        const img = (await (await c.call('GET', `/v1/images/${iso.digest}`)).json()) as Image;
        return img.hosts.includes(agent.hostId);
      },
      { what: 'the controller to know the host holds the ISO', timeoutMs: 30_000 },
    );
    // In use as the VM's CD-ROM: the ISO cannot be deleted.
    expect((await c.call('DELETE', `/v1/images/${iso.digest}`)).status).toBe(409);
  }, 180_000);

  it('opens the VNC console of the installing VM', async () => {
    const res = await c.call('POST', `/v1/vms/${VM}/console`, { kind: 'vnc' });
    expect(res.status, await res.clone().text()).toBe(201);
    const t = (await res.json()) as ConsoleTicket;
    const url = new URL(t.url, c.url);
    url.protocol = 'wss:';
    const vnc = new WsReader(url.href, c.certFile);
    await vnc.opened;
    expect((await vnc.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    vnc.ws.send(Buffer.from('RFB 003.008\n'));
    const count = (await vnc.read(1))[0] as number;
    expect([...(await vnc.read(count))]).toContain(1); // security type None
    vnc.ws.send(Buffer.from([1]));
    expect((await vnc.read(4)).readUInt32BE(0)).toBe(0); // SecurityResult: OK
    vnc.ws.send(Buffer.from([1])); // ClientInit: shared
    const init = await vnc.read(24);
    const name = (await vnc.read(init.readUInt32BE(20))).toString('utf8');
    expect(name).toMatch(/inst-[a-z2-7]{8}-0/);
    vnc.ws.close();
    await vnc.closed;
  }, 60_000);

  it('deletes the VM, and then the ISO can go', async () => {
    expect((await c.call('DELETE', '/v1/envs/inst')).status).toBe(202);
    await waitFor(async () => (await envState('inst')) === 'deleted', {
      what: 'the ISO environment to be deleted',
      timeoutMs: 120_000,
      intervalMs: 250,
    });
    expect(await reservedDisk()).toBe(0);
    expect((await c.call('DELETE', `/v1/images/${iso.digest}`)).status).toBe(200);
  }, 180_000);
});
