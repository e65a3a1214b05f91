import type { ConsoleTicket, Env, Host } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon, Fleet } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { expectHostsMatchBooks } from './host-books.js';
import { SseReader } from './sse-reader.js';
import { WsReader } from './ws-reader.js';

/*
 * Two controllers on one PostgreSQL database, as behind a load balancer (one certificate), and
 * agents given both (`--controller URL1,URL2`). Whatever is done through one is seen, streamed
 * and served through the other; when one dies (kill -9), the agents heartbeat through the other
 * and it serves everything on its own. A short heartbeat TTL and no restart grace make a host
 * that stops being heard turn suspect within seconds, so "hosts stay online" means something.
 */

const HEARTBEAT_TTL_MS = 3_000;

let fleet: Fleet;
let c1: ControllerDaemon;
let c2: ControllerDaemon;
let agents: AgentDaemon[];
/** Controller 2's event stream, open from the start. */
let c2Events: SseReader;

fleetForFile(
  {
    agents: 2,
    controllers: 2,
    controllerArgs: [
      ...['--heartbeat-interval-ms', '500'],
      ...['--heartbeat-ttl-ms', String(HEARTBEAT_TTL_MS)],
      ...['--restart-grace-ms', '0'],
      // A killed controller's environment sagas are adopted within seconds, not half a minute.
      ...['--saga-lease-ttl-ms', '3000'],
      ...['--reaper-interval-ms', '1000'],
    ],
  },
  async (started) => {
    fleet = started;
    [c1, c2] = fleet.controllers as [ControllerDaemon, ControllerDaemon];
    agents = fleet.agents;
    c2Events = new SseReader(await c2.call('GET', '/v1/events'));
    // Through controller 1; agents download it through whichever controller they talk to.
    await uploadSampleImage(c1.admin, 'alpine-cloud');
  },
);
// Registered after the fleet's hook, so it runs before the fleet is destroyed.
afterAll(() => c2Events?.close());

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const databaseUrl = () => fleet.databaseUrl as string;

async function envIn(c: ControllerDaemon, id: string, states: string[]): Promise<Env> {
  return waitFor(
    async () => {
      const env = await json<Env>(c.call('GET', `/v1/envs/${id}`));
      return states.includes(env.state) ? env : undefined;
    },
    { what: `${id} to be ${states.join('/')} through ${c.url}`, timeoutMs: 60_000 },
  );
}

async function createEnv(c: ControllerDaemon, id: string, count = 1): Promise<Env> {
  const res = await c.call('POST', '/v1/envs', {
    id,
    ssh_keys: [sshKey()],
    vms: Array.from({ length: count }, () => ({
      image: 'alpine-cloud',
      cpu: 1,
      mem: 1024,
      disk: 10240,
    })),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return envIn(c, id, ['active', 'failed', 'degraded']);
}

async function ticket(c: ControllerDaemon, vm: string, kind: 'serial' | 'vnc') {
  const res = await c.call('POST', `/v1/vms/${vm}/console`, { kind });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ConsoleTicket;
}

/** The ticket's websocket on controller `at`, which need not be the one that issued it. */
function openConsole(t: ConsoleTicket, at: ControllerDaemon): WsReader {
  const url = new URL(t.url, at.url);
  url.protocol = 'wss:';
  return new WsReader(url.href, at.certFile);
}

async function serialLogin(t: ConsoleTicket, at: ControllerDaemon, vm: RegExp): Promise<void> {
  const console = openConsole(t, at);
  await console.opened;
  await console.until(' console login: ');
  expect(console.text()).toMatch(vm);
  console.ws.close(1000, 'done');
  await console.closed;
}

describe('two controllers on one PostgreSQL database', () => {
  it('shares one certificate and gives agents both controllers', () => {
    expect(c2.fingerprint).toBe(c1.fingerprint);
    for (const agent of agents) {
      const argv = agent.process.child.spawnargs;
      expect(argv[argv.indexOf('--controller') + 1]).toBe(`${c1.url},${c2.url}`);
    }
  });

  it('runs an environment created through controller 1 and shows it through controller 2', async () => {
    const env = await createEnv(c1, 'ha');
    expect(env.state).toBe('active');
    const seen = await json<Env>(c2.call('GET', '/v1/envs/ha'));
    expect(seen.state).toBe('active');
    expect(seen.vms.map((vm) => [vm.id, vm.host_id, vm.state])).toEqual(
      env.vms.map((vm) => [vm.id, vm.host_id, 'running']),
    );
    const hosts = await expectHostsMatchBooks(databaseUrl(), agents);
    expect(hosts.flatMap((h) => h.booked)).toHaveLength(1);
  });

  it('opens a console through either controller, with a ticket from the other', async () => {
    // Tickets live in the database: issued by one controller, taken by the other.
    await serialLogin(await ticket(c1, 'ha-0', 'serial'), c2, /ha-[a-z2-7]{8}-0 console login: /);
    const vnc = openConsole(await ticket(c2, 'ha-0', 'vnc'), c1);
    await vnc.opened;
    expect((await vnc.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    vnc.ws.close();
    await vnc.closed;
  });

  it('streams, through controller 2, the states of an environment made and deleted through controller 1', async () => {
    await c2Events.until(/"id":"ha","org_id":"[^"]+","state":"active"/);
    expect(c2Events.received()).toMatch(
      /event: env\.state\ndata: \{"id":"ha","org_id":"[^"]+","state":"creating"\}/,
    );
    expect((await c1.call('DELETE', '/v1/envs/ha')).status).toBe(202);
    await c2Events.until(/"id":"ha","org_id":"[^"]+","state":"deleted"/);
    expect(c2Events.received()).toMatch(/"id":"ha","org_id":"[^"]+","state":"deleting"/);
    await envIn(c1, 'ha', ['deleted']);
    const hosts = await expectHostsMatchBooks(databaseUrl(), agents);
    expect(hosts.flatMap((h) => h.booked)).toEqual([]);
  });

  it('keeps hosts online through controller 2 when controller 1 is killed, and controller 2 serves everything', async () => {
    await c1.kill();
    const killedAt = Date.now();
    // Longer than the TTL: a host no controller hears from in that time turns suspect.
    const watchUntil = killedAt + HEARTBEAT_TTL_MS + 2_000;
    while (Date.now() < watchUntil) {
      const hosts = await json<{ items: Host[] }>(c2.call('GET', '/v1/hosts'));
      expect(Object.fromEntries(hosts.items.map((h) => [h.id, h.liveness]))).toEqual(
        Object.fromEntries(agents.map((a) => [a.hostId, 'ready'])),
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // Heard after the kill, so through controller 2.
    for (const agent of agents) {
      const host = await json<Host>(c2.call('GET', `/v1/hosts/${agent.hostId}`));
      expect(Date.parse(host.last_heartbeat_at as string)).toBeGreaterThan(killedAt);
    }

    // One VM per host (spread): the host that ran no VM yet downloads the image now, through
    // controller 2, from the image store controller 1 wrote it to.
    const env = await createEnv(c2, 'after', 2);
    expect(env.state).toBe('active');
    expect(new Set(env.vms.map((vm) => vm.host_id)).size).toBe(2);
    const hosts = await expectHostsMatchBooks(databaseUrl(), agents);
    expect(hosts.map((h) => h.booked.length)).toEqual([1, 1]);
    await serialLogin(await ticket(c2, 'after-0', 'serial'), c2, /after-[a-z2-7]{8}-0 console/);
    expect((await c2.call('DELETE', '/v1/envs/after')).status).toBe(202);
    await envIn(c2, 'after', ['deleted']);
    await expectHostsMatchBooks(databaseUrl(), agents);

    // Controller 1 comes back on the same database and sees what happened without it.
    await c1.restart();
    expect((await json<Env>(c1.call('GET', '/v1/envs/after'))).state).toBe('deleted');
  });

  it('adopts an environment create when the controller running it is killed mid-create', async () => {
    const res = await c1.call('POST', '/v1/envs', {
      id: 'adopted',
      ssh_keys: [sshKey()],
      vms: Array.from({ length: 2 }, () => ({
        image: 'alpine-cloud',
        cpu: 1,
        mem: 1024,
        disk: 10240,
      })),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    // Killed once its saga has sent VMs to their hosts, before it could settle anything.
    await waitFor(
      async () => {
        const env = await json<Env>(c1.call('GET', '/v1/envs/adopted'));
        return env.vms.some((vm) => vm.state === 'creating') ? env : undefined;
      },
      { what: 'a VM of adopted to be creating', timeoutMs: 30_000, intervalMs: 20 },
    );
    await c1.kill();
    expect((await json<Env>(c2.call('GET', '/v1/envs/adopted'))).state).toBe('creating');

    // Controller 2 takes the saga over once its lease has run out, and finishes it.
    const env = await envIn(c2, 'adopted', ['active', 'failed', 'degraded']);
    expect(env.state).toBe('active');
    expect(env.vms.map((vm) => vm.state)).toEqual(['running', 'running']);
    // Every VM is on its booked host exactly once; nothing else is on any host.
    const hosts = await expectHostsMatchBooks(databaseUrl(), agents);
    const booked = hosts.flatMap((h) => h.booked).sort();
    expect(booked).toHaveLength(2);
    for (const [i, id] of booked.entries())
      expect(id).toMatch(new RegExp(`^adopted-[a-z2-7]{8}-${i}$`));

    expect((await c2.call('DELETE', '/v1/envs/adopted')).status).toBe(202);
    await envIn(c2, 'adopted', ['deleted']);
    expect((await expectHostsMatchBooks(databaseUrl(), agents)).flatMap((h) => h.booked)).toEqual(
      [],
    );
  });
});
