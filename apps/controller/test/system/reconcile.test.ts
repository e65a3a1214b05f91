import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCommand } from '@apiary/illumos-sim';
import type { Env, Host } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  type Fleet,
  sampleImage,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { fleetForFile } from './file-fleet.js';
import { asVmNames, footprint } from './footprint.js';

/*
 * Trust nothing on the wire, against real agents on simulated hosts: a VM is deleted only when
 * its host shows nothing of it, whatever an agent says; what a host holds that the controller
 * does not know is found, reported and (under the remove policy) removed.
 */
let fleet: Fleet;
let c: ControllerDaemon;

fleetForFile(
  {
    agents: 0,
    controllerArgs: [
      ...['--heartbeat-interval-ms', '1000', '--poll-interval-ms', '500'],
      ...['--reaper-interval-ms', '1000', '--reconcile-interval-ms', '1000'],
      ...['--orphan-policy', 'remove', '--orphan-grace-ms', '5000'],
    ],
  },
  async (f) => {
    fleet = f;
    c = f.controller;
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

/**
 * An agent that lies: in front of a real agent, it answers 404 to GET and DELETE of the VMs in
 * `lie` and leaves them out of its VM list (the inventory the controller polls), while
 * everything else (the host listing included) passes through untouched.
 */
async function lyingProxy(target: string, upstreamFetch: typeof fetch) {
  const lie = new Set<string>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', target);
    const id = /^\/api\/vms\/([^/]+)$/.exec(url.pathname)?.[1];
    if (id && lie.has(id) && (req.method === 'GET' || req.method === 'DELETE')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ msg: `no VM ${id}`, code: 'not_found', requestId: 'req_liar' }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length'].includes(k)),
    ) as Record<string, string>;
    const upstream = await upstreamFetch(url, {
      method: req.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    }).catch(() => null);
    if (!upstream) {
      // The agent behind is gone (the fleet stopping): answer as a dead gateway would.
      res.writeHead(502).end();
      return;
    }
    let body = Buffer.from(await upstream.arrayBuffer().catch(() => new ArrayBuffer(0)));
    if (req.method === 'GET' && url.pathname === '/api/vms' && upstream.status === 200) {
      const page = JSON.parse(body.toString()) as { items: Array<{ id: string }>; total: number };
      const items = page.items.filter((v) => !lie.has(v.id));
      body = Buffer.from(JSON.stringify({ ...page, items, total: items.length }));
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? '' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { lie, addr: `http://127.0.0.1:${port}`, close: () => server.close() };
}

let proxy: Awaited<ReturnType<typeof lyingProxy>> | undefined;
afterAll(() => proxy?.close());

const vmOf = async (env: string) => (await json<Env>(c.call('GET', `/v1/envs/${env}`))).vms[0];

describe('deleting against an agent that lies', () => {
  it('keeps a VM its agent calls gone while the host still has its zone, and deletes it once the host agrees', async () => {
    const liar = await fleet.addAgent({ register: false });
    proxy = await lyingProxy(liar.url, liar.fetchImpl);
    const added = await c.call('POST', '/v1/hosts', {
      addr: proxy.addr,
      api_key: await liar.createKey('operator'),
    });
    expect(added.status).toBe(201);
    await c.call('POST', '/v1/envs', {
      id: 'liar',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud' }],
    });
    await waitFor(
      async () =>
        (await json<Env>(c.call('GET', '/v1/envs/liar'))).state === 'active' ? true : undefined,
      { what: 'liar to be active', timeoutMs: 120_000, intervalMs: 250 },
    );
    // The agent knows the VM by its internal id, which is also its zone's name.
    const [zone] = footprint(liar.host()).zones;
    proxy.lie.add(zone?.split(':')[0] ?? '');
    expect((await c.call('DELETE', '/v1/envs/liar')).status).toBe(202);
    const vm = await waitFor(
      async () => {
        const v = await vmOf('liar');
        return v?.error?.code === 'delete_unconfirmed' ? v : undefined;
      },
      { what: 'the delete to be refused confirmation', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(vm?.state).toBe('deleting');
    // Polls (whose VM list leaves it out) and reaper retries do not change that.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await vmOf('liar'))?.state).toBe('deleting');
    expect((await json<Env>(c.call('GET', '/v1/envs/liar'))).state).toBe('deleting');
    expect(asVmNames(footprint(liar.host()).zones)).toEqual(['liar-0:running']);
    // The agent stops lying: the next retry deletes the VM, and the host is left empty.
    proxy.lie.clear();
    await waitFor(
      async () =>
        (await json<Env>(c.call('GET', '/v1/envs/liar'))).state === 'deleted' ? true : undefined,
      { what: 'liar to be deleted', timeoutMs: 120_000, intervalMs: 250 },
    );
    expect(footprint(liar.host())).toMatchObject({ zones: [], vnics: [], datasets: [] });
  }, 300_000);
});

/** A zone put straight onto a simulated host with zonecfg; with our VM id attr or without. */
async function handmadeZone(agent: AgentDaemon, id: string, apiary: boolean) {
  const file = join(tempDir('zonecfg'), `${id}.cfg`);
  const attrs = apiary
    ? ['add attr', 'set name=apiary-vm-id', 'set type=string', `set value=${id}`, 'end']
    : [];
  writeFileSync(
    file,
    ['create -b', 'set brand=bhyve', `set zonepath=/zones/${id}`, ...attrs, 'commit', ''].join(
      '\n',
    ),
  );
  const result = await runCommand({ argv: ['zonecfg', '-z', id, '-f', file], root: agent.simDir });
  if (result.exitCode !== 0) throw new Error(result.stderr);
}

describe('reconciling hosts', () => {
  it('finds VMs the controller has no record of, reports them, and removes the Apiary-made ones', async () => {
    const agent = await fleet.addAgent();
    const before = footprint(agent.host());
    // A VM made through the agent behind the controller's back (as after a lost database).
    const image = await sampleImage('alpine-cloud');
    const key = await agent.createKey('operator');
    const made = await agent.fetch('/api/vms', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'direct-0', env_id: 'direct', image: image.digest, ports: [80] }),
    });
    expect(made.status).toBe(202);
    await waitFor(
      () => (footprint(agent.host()).zones.includes('direct-0:running') ? true : undefined),
      {
        what: 'direct-0 to run',
        timeoutMs: 120_000,
        intervalMs: 250,
      },
    );
    // And zones made by hand: one stamped as ours, one that is someone else's.
    await handmadeZone(agent, 'stamped-1', true);
    await handmadeZone(agent, 'theirs', false);
    const hostView = () => json<Host>(c.call('GET', `/v1/hosts/${agent.hostId}`));
    const reported = await waitFor(
      async () => {
        const h = await hostView();
        return h.orphans.length === 3 ? h : undefined;
      },
      { what: 'the orphans to be reported', timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(reported.orphans.map((o) => [o.id, o.apiary])).toEqual([
      ['direct-0', true],
      ['stamped-1', true],
      ['theirs', false],
    ]);
    // Reported before the grace period is over: nothing is removed yet.
    expect(footprint(agent.host()).zones).toContain('direct-0:running');
    const metrics = await (await c.fetch('/metrics')).text();
    expect(metrics).toMatch(/apiary_orphan_vms\{kind="apiary"\} 2/);
    // After it, the Apiary-made ones go, with everything they held; someone else's zone stays.
    await waitFor(
      async () => {
        const h = await hostView();
        return h.orphans.length === 1 ? h : undefined;
      },
      { what: 'the Apiary-made orphans to be removed', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect((await hostView()).orphans.map((o) => o.id)).toEqual(['theirs']);
    expect(footprint(agent.host())).toEqual({ ...before, zones: ['theirs:configured'] });
  }, 300_000);
});
