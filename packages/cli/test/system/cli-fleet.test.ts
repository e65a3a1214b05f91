import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AuditEvent,
  Drain,
  Env,
  FleetStatus,
  Host,
  Image,
  Vm,
  WhoAmI,
} from '@apiary/protocol';
import { bins, Fleet, hostFootprint, waitFor, writeSampleImage } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshKey } from '../fixtures.js';
import { cliJson, runCli, runProgram, spawnCli } from './run-cli.js';

/*
 * The `apiary` CLI against a real controller and three agents on simulated hosts: every command
 * goes through the real program, the real HTTP API and real host commands.
 */
let fleet: Fleet;
let dir: string;
let env: NodeJS.ProcessEnv;
const key = sshKey('cli@test');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-fleet-'));
  // Agents sample usage every 2 s (default 10 s) so `top` has figures within seconds.
  fleet = await Fleet.start({ dir, agents: 3, agentArgs: ['--stats-interval', '2'] });
  env = { HOME: dir, APIARY_CONFIG: join(dir, 'cli', 'config.json') };
}, 180_000);

afterAll(async () => {
  await fleet?.destroy();
  rmSync(dir, { recursive: true, force: true }); // when Fleet.start failed
});

describe('apiary CLI against a real fleet', () => {
  it("refuses the controller's self-signed certificate until told to trust it", async () => {
    const noCa = await runCli(['status'], {
      env: { ...env, APIARY_URL: fleet.controllerUrl, APIARY_API_KEY: fleet.bootstrap.adminApiKey },
    });
    expect(noCa.code).toBe(1);
    expect(noCa.stderr).toMatch(
      /hint: the controller's certificate at https:\/\/.* is not trusted/,
    );
    expect(noCa.stderr).toContain('APIARY_CA');
    const insecure = await runCli(['status', '--insecure'], {
      env: { ...env, APIARY_URL: fleet.controllerUrl, APIARY_API_KEY: fleet.bootstrap.adminApiKey },
    });
    expect(insecure.code).toBe(0);
    expect(insecure.stderr).toMatch(
      /^WARNING: --insecure: the controller's certificate is NOT checked/,
    );
    const viaCa = await runCli(['status'], {
      env: {
        ...env,
        APIARY_URL: fleet.controllerUrl,
        APIARY_API_KEY: fleet.bootstrap.adminApiKey,
        APIARY_CA: fleet.controller.certFile,
      },
    });
    expect([viaCa.code, viaCa.stderr]).toEqual([0, '']);
  });

  it('logs in with a username and a password read from stdin, into a 0600 profile that keeps the CA', async () => {
    const login = await runCli(
      [
        'login',
        '--url',
        fleet.controllerUrl,
        '--ca',
        fleet.controller.certFile,
        '--username',
        fleet.bootstrap.adminUser,
        '--password-stdin',
      ],
      { env, stdin: `${fleet.bootstrap.adminPassword}\n` },
    );
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('super_admin');
    expect(statSync(env.APIARY_CONFIG as string).mode & 0o777).toBe(0o600);
    const who = await cliJson<WhoAmI>(['whoami'], env);
    expect(who).toMatchObject({ role: 'super_admin', via: 'session' });
  });

  it('shows three ready hosts in status and hosts list', async () => {
    const status = await cliJson<FleetStatus>(['status'], env);
    expect(status.hosts).toMatchObject({ total: 3, ready: 3 });
    const table = await runCli(['hosts', 'list'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout.match(/● ready/g)).toHaveLength(3);
    const hosts = await cliJson<Host[]>(['hosts', 'list'], env);
    const shown = await runCli(['hosts', 'show', hosts[0]?.id as string], { env });
    expect(shown.stdout).toMatch(/cpu\s+0 reserved of \d+/);
  });

  it('imports an image file and lists it', async () => {
    const file = await writeSampleImage(join(dir, 'alpine-cloud.zfs'));
    const image = await cliJson<Image>(['images', 'import', file, '--name', 'alpine-cloud'], env);
    expect(image).toMatchObject({ name: 'alpine-cloud', format: 'zfs-send' });
    const images = await cliJson<Image[]>(['images', 'list'], env);
    expect(images.map((i) => i.digest)).toContain(image.digest);
  });

  it('imports an ISO and installs a VM from it onto an empty disk (--boot-iso --disk)', async () => {
    const file = join(dir, 'install.iso');
    writeFileSync(file, `${'\0'.repeat(32768)}\u0001CD001\u0001 cli test`);
    const iso = await cliJson<Image>(['images', 'import', file], env);
    expect(iso).toMatchObject({ name: 'install', format: 'iso' });
    const isos = await cliJson<Image[]>(['images', 'list', '--format', 'iso'], env);
    expect(isos.map((i) => i.name)).toEqual(['install']);
    const refused = await runCli(
      ['envs', 'create', '--id', 'cli-iso', '--image', 'install', '--ssh-key', key],
      { env },
    );
    expect([refused.code, refused.stderr]).toEqual([
      1,
      'error: --image install: install is an ISO (format iso): a VM installs from it with boot_iso and a disk size\n',
    ]);
    const both = await runCli(
      [
        'envs',
        'create',
        '--id',
        'cli-iso',
        '--image',
        'a',
        '--boot-iso',
        'install',
        '--ssh-key',
        key,
      ],
      { env },
    );
    expect(both.stderr).toMatch(/--boot-iso install: give image or boot_iso, not both/);
    const created = await cliJson<Env>(
      ['envs', 'create', '--id', 'cli-iso', '--boot-iso', 'install', '--disk', '4096'].concat([
        '--ssh-key',
        key,
        '--wait',
      ]),
      env,
    );
    expect(created.state).toBe('active');
    expect(created.vms[0]).toMatchObject({ state: 'running', boot_iso: true, disk: 4096 });
    const shown = await runCli(['vms', 'show', 'cli-iso-0'], { env });
    expect(shown.stdout).toMatch(/boot ISO\s+install \(sha256:/);
    expect((await runCli(['envs', 'delete', 'cli-iso', '--wait'], { env })).code).toBe(0);
    await cliJson(['images', 'delete', iso.digest], env);
  });

  it('creates an environment with --wait and shows its VMs, IPs and port map', async () => {
    const created = await cliJson<Env>(
      [
        'envs',
        'create',
        '--id',
        'cli-env',
        '--image',
        'alpine-cloud',
        '--count',
        '2',
        '--port',
        '80',
        '--ssh-key',
        key,
        '--lifetime',
        '1h',
        '--wait',
      ],
      env,
    );
    expect(created.state).toBe('active');
    expect(created.vms.map((v) => v.state)).toEqual(['running', 'running']);
    for (const vm of created.vms) expect(Object.keys(vm.port_map).sort()).toEqual(['22', '80']);
    const shown = await runCli(['envs', 'show', 'cli-env'], { env });
    expect(shown.stdout).toMatch(/cli-env-0\s+│\s+running/);
    expect(shown.stdout).toMatch(/->22/);
    const vm = await runCli(['vms', 'show', 'cli-env-0'], { env });
    expect(vm.stdout).toMatch(/ssh\s+ssh -p \d+ root@/);
    const list = await cliJson<Env[]>(['envs', 'list'], env);
    expect(list.map((e) => e.id)).toContain('cli-env');
  });

  it('shows running VMs and hosts busiest first in top: --json once, plain frames off a terminal', async () => {
    // Load one VM's zone with the simulator, so the order is known: cli-env-1 first.
    const vm = await cliJson<Vm>(['vms', 'show', 'cli-env-1'], env);
    const agent = fleet.agents.find((a) => a.hostId === vm.host_id);
    const zone = agent?.host().zones.find((z) => /^cli-env-[a-z2-7]{8}-1$/.test(z.name))?.name;
    expect(zone).toBeDefined();
    const load = await runProgram([
      bins.sim,
      'load',
      agent?.simDir ?? '',
      zone ?? '',
      '--cpu',
      '1',
    ]);
    expect(load.code, load.stderr).toBe(0);
    type Row = { id: string; cpu_used: number | null; cpu_percent: number | null };
    const rows = await waitFor(
      async () => {
        const r = await cliJson<Row[]>(['vms', 'top'], env);
        // The first sample after the load was set may cover part of an interval: wait for a
        // full one (1 CPU busy), not merely for a figure.
        const loaded = (r[0]?.cpu_used ?? 0) > 0.5;
        return r.length === 2 && r.every((x) => x.cpu_used !== null) && loaded ? r : undefined;
      },
      {
        what: 'both VMs with figures in vms top, the loaded one busy',
        timeoutMs: 60_000,
        intervalMs: 1000,
      },
    );
    expect(rows.map((r) => r.id)).toEqual(['cli-env-1', 'cli-env-0']);
    expect(rows[0]?.cpu_used).toBeGreaterThan(0.5);

    const hosts = await cliJson<Array<{ hostname: string; cpu_percent: number | null }>>(
      ['hosts', 'top'],
      env,
    );
    expect(hosts).toHaveLength(3);
    const percents = hosts.map((h) => h.cpu_percent ?? -1);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));

    // Not a terminal: each refresh is printed after the last, without screen control codes.
    const live = await runCli(['vms', 'top', '--interval', '1s', '--count', '2'], { env });
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout.match(/^apiary vms top {2}\d\d:\d\d:\d\d {2}\(every 1s\)$/gm)).toHaveLength(
      2,
    );
    expect(live.stdout).not.toContain('\x1b[');
    const frames = live.stdout.split(/^apiary vms top/m).slice(1);
    for (const frame of frames)
      expect(frame.indexOf('cli-env-1')).toBeLessThan(frame.indexOf('cli-env-0'));
    const clear = await runProgram([bins.sim, 'load', agent?.simDir ?? '', zone ?? '', '--clear']);
    expect(clear.code, clear.stderr).toBe(0);
  });

  it('stops and starts a VM and a whole environment, and extends its lifetime', async () => {
    await cliJson<Vm>(['vms', 'stop', 'cli-env-1'], env);
    await waitFor(
      async () => (await cliJson<Vm>(['vms', 'show', 'cli-env-1'], env)).state === 'stopped',
      { what: 'cli-env-1 to stop', timeoutMs: 60_000, intervalMs: 300 },
    );
    await cliJson<Vm>(['vms', 'start', 'cli-env-1'], env);
    const stopped = await cliJson<Env>(['envs', 'stop', 'cli-env', '--wait'], env);
    expect(stopped.vms.every((v) => v.state === 'stopped')).toBe(true);
    const started = await cliJson<Env>(['envs', 'start', 'cli-env', '--wait'], env);
    expect(started.state).toBe('active');
    const before = Date.parse(started.expires_at);
    const extended = await cliJson<Env>(['envs', 'extend', 'cli-env', '--by', '2h'], env);
    expect(Date.parse(extended.expires_at) - before).toBeGreaterThanOrEqual(7200_000 - 1000);
  });

  it('attaches to a serial console, talks to the getty, and detaches with Ctrl-]', async () => {
    const session = spawnCli(['vms', 'console', 'cli-env-0'], env);
    await waitFor(async () => session.output().stderr.includes('connected to cli-env-0'), {
      what: 'the console to connect',
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    session.write('\r');
    await session.until(' console login: ');
    // The guest is named after its zone, the VM's internal id: `cli-env-<8 base32>-0`.
    expect(session.output().stdout).toMatch(/cli-env-[a-z2-7]{8}-0 console login: /);
    session.write('root\r');
    await session.until('Password: ');
    session.write('\x1d');
    const result = await session.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('detached from cli-env-0');
    // The ticket is single-use and never printed: nothing on the terminal looks like one.
    expect(result.stdout + result.stderr).not.toMatch(/ticket=/);
    // --json makes no sense for an interactive session: a usage error, no ticket spent.
    const json = await runCli(['vms', 'console', 'cli-env-0', '--json'], { env });
    expect(json.code).toBe(2);
    expect(json.stderr).toContain('interactive');
  });

  it('names every host and why when an environment cannot be placed', async () => {
    const big = await runCli(
      [
        'envs',
        'create',
        '--id',
        'too-big',
        '--image',
        'alpine-cloud',
        '--cpu',
        '64',
        '--ssh-key',
        key,
      ],
      { env },
    );
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('no host can take VM 0');
    expect(big.stderr.match(/^ {2}sim-host-\d: .*cpu/gm)).toHaveLength(3);
  });

  it('drains a host in wait mode, shows progress, and undrains it', async () => {
    const vm = await cliJson<Vm>(['vms', 'show', 'cli-env-0'], env);
    const hostId = vm.host_id as string;
    const drain = await cliJson<Drain>(['hosts', 'drain', hostId, '--mode', 'wait'], env);
    expect(drain).toMatchObject({ mode: 'wait', state: 'draining', complete: false });
    expect(drain.vms_remaining).toBeGreaterThanOrEqual(1);
    const status = await runCli(['hosts', 'drain-status', hostId], { env });
    expect(status.stdout).toMatch(/mode\s+wait/);
    expect(status.stdout).toMatch(/cli-env-0/);
    const list = await runCli(['hosts', 'list'], { env });
    expect(list.stdout).toMatch(/draining \d+\/\d+/);
    const undrained = await cliJson<Host>(['hosts', 'undrain', hostId], env);
    expect(undrained.policy).toBe('eligible');
  });

  it('drains a host in stop mode with --watch until complete, then activates it', async () => {
    const vm = await cliJson<Vm>(['vms', 'show', 'cli-env-0'], env);
    const hostId = vm.host_id as string;
    const drain = await cliJson<Drain>(
      ['hosts', 'drain', hostId, '--mode', 'stop', '--deadline', '0s', '--watch'],
      env,
    );
    expect(drain).toMatchObject({ mode: 'stop', complete: true, vms_failed: 0 });
    expect((await cliJson<Vm>(['vms', 'show', 'cli-env-0'], env)).state).toBe('stopped');
    expect((await cliJson<Host>(['hosts', 'show', hostId], env)).policy).toBe('maintenance');
    const activated = await cliJson<Host>(['hosts', 'activate', hostId], env);
    expect(activated.policy).toBe('eligible');
  });

  it('refuses to remove a host that still has VMs, with a non-zero exit', async () => {
    const vm = await cliJson<Vm>(['vms', 'show', 'cli-env-0'], env);
    const removed = await runCli(['hosts', 'remove', vm.host_id as string], { env });
    expect(removed.code).toBe(1);
    expect(removed.stderr).toMatch(/^error: /);
  });

  it('deletes the environment with --wait and leaves nothing on the hosts', async () => {
    const deleted = await runCli(['envs', 'delete', 'cli-env', '--wait'], { env });
    expect(deleted.code).toBe(0);
    const status = await cliJson<FleetStatus>(['status'], env);
    expect(status.capacity.reserved).toEqual({ cpu: 0, mem: 0, disk: 0 });
    for (const agent of fleet.agents) {
      const left = await hostFootprint(agent.simDir);
      expect(left.zones).toEqual([]);
      expect(left.natRules).toEqual([]);
      // Only the host's own NAT gateway VNIC may remain.
      expect(left.vnics.length).toBeLessThanOrEqual(1);
    }
  });

  it('lists the session in the audit trail: create, stop, drain and delete, with their actors', async () => {
    const entries = await cliJson<AuditEvent[]>(['audit', '--limit', '1000'], env);
    const actions = entries.map((e) => `${e.action} ${e.actor.name}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'login admin',
        'createEnv admin',
        'stopVm admin',
        'stopEnv admin',
        'drainHost admin',
        'drain.complete drain',
        'deleteEnv admin',
      ]),
    );
    const human = await runCli(['audit', '--resource', 'env:cli-env'], { env });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/deleteEnv[\s│]+env cli-env[\s│]+accepted/);
    const bad = await runCli(['audit', '--since', 'last tuesday'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('since');
  });

  it('manages organizations, users, API keys and license keys', async () => {
    const org = await cliJson<{ id: string }>(['orgs', 'create', 'Team Blue'], env);
    expect(
      (await cliJson<Array<{ id: string }>>(['orgs', 'list'], env)).map((o) => o.id),
    ).toContain(org.id);
    const user = await cliJson<{ id: string; role: string }>(
      ['users', 'create', 'bob', '--role', 'member', '--org', org.id],
      env,
      'correct horse battery staple\n',
    );
    expect(user.role).toBe('member');
    await cliJson(['users', 'set-password', user.id], env, 'another long passphrase\n');
    const bob = await runCli(
      [
        'login',
        '--url',
        fleet.controllerUrl,
        '--username',
        'bob',
        '--password-stdin',
        '--name',
        'bob',
      ],
      {
        env: { ...env, APIARY_CA: fleet.controller.certFile, APIARY_CONFIG: join(dir, 'bob.json') },
        stdin: 'another long passphrase\n',
      },
    );
    expect(bob.code).toBe(0);
    expect(bob.stdout).toContain('(member)');
    const created = await cliJson<{ id: string; key: string }>(
      ['api-keys', 'create', 'ci', '--expires', '30d'],
      env,
    );
    const viaKey = {
      HOME: env.HOME,
      APIARY_URL: fleet.controllerUrl,
      APIARY_API_KEY: created.key,
      APIARY_CA: fleet.controller.certFile,
      APIARY_CONFIG: join(dir, 'none.json'),
    };
    expect((await cliJson<WhoAmI>(['whoami'], viaKey)).via).toBe('api_key');
    await cliJson(['api-keys', 'revoke', created.id], env);
    const refused = await runCli(['whoami'], { env: viaKey });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("hint: log in with 'apiary login'");
    const license = await cliJson<{ id: string; key: string }>(
      ['licenses', 'create', 'rack-2', '--org', org.id],
      env,
    );
    expect(license.key.length).toBeGreaterThan(16);
    const licenses = await runCli(['licenses', 'list'], { env });
    expect(licenses.stdout).not.toContain(license.key);
    await cliJson(['licenses', 'revoke', license.id], env);
    await cliJson(['users', 'delete', user.id], env);
  });

  it('creates a scoped key (keys create --scope) that is refused outside its scope', async () => {
    const bad = await runCli(['keys', 'create', 'x', '--scope', 'envs:delete'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown envs:delete');
    const reader = await cliJson<{ id: string; key: string; scopes: string[] }>(
      ['keys', 'create', 'reader', '--scope', 'envs:read', '--expires', '1d'],
      env,
    );
    expect(reader.scopes).toEqual(['envs:read']);
    const viaKey = {
      HOME: env.HOME,
      APIARY_URL: fleet.controllerUrl,
      APIARY_API_KEY: reader.key,
      APIARY_CA: fleet.controller.certFile,
      APIARY_CONFIG: join(dir, 'none.json'),
    };
    expect((await runCli(['envs', 'list'], { env: viaKey })).code).toBe(0);
    const hosts = await runCli(['hosts', 'list'], { env: viaKey });
    expect(hosts.code).toBe(1);
    expect(hosts.stderr).toContain('needs the scope hosts:read');
    expect((await runCli(['api-keys', 'list'], { env })).stdout).toContain('envs:read');
    await cliJson(['keys', 'revoke', reader.id], env);
  });

  it("rotates a host's credential, and resets it for a host that must register again", async () => {
    const [host] = await cliJson<Host[]>(['hosts', 'list'], env);
    const id = host?.id as string;
    const rotating = await cliJson<Host>(['hosts', 'rotate-credential', id], env);
    expect(['rotating', 'active']).toContain(rotating.credential.state);
    await waitFor(
      async () => (await cliJson<Host>(['hosts', 'show', id], env)).credential.state === 'active',
      { what: 'rotation complete', timeoutMs: 30_000 },
    );
    const reset = await runCli(['hosts', 'reset-credential', id, '--window', '10m'], { env });
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('its next registration is accepted until');
    // The agent is refused with its revoked credential, registers in the window, and is back.
    await waitFor(
      async () => {
        const h = await cliJson<Host>(['hosts', 'show', id], env);
        return h.credential.state === 'active' && h.liveness === 'ready';
      },
      { what: 'host back after reset', timeoutMs: 60_000 },
    );
  });

  it('adds a standalone agent by address after a connection test, pins its certificate, assigns it, removes it', async () => {
    const agent = await fleet.addAgent({ register: false });
    const addr = `127.0.0.1:${agent.port}`;
    // First contact: the controller shows the certificate the agent presents, and sends nothing.
    const unknown = await runCli(['hosts', 'test', addr], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/^certificate_unknown: .*presents certificate sha256:/);
    expect(unknown.stdout).toContain(agent.fingerprint);
    const noKey = await runCli(['hosts', 'test', addr, '--fingerprint', agent.fingerprint], {
      env,
    });
    expect(noKey.code).toBe(1);
    expect(noKey.stdout).toMatch(/^bad_key: /);
    const key = await agent.createKey();
    const pin = ['--api-key', key, '--fingerprint', agent.fingerprint];
    const tested = await runCli(['hosts', 'test', addr, ...pin], { env });
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/^ok: /);
    const added = await cliJson<Host>(['hosts', 'add', addr, ...pin], env);
    expect(added).toMatchObject({ source: 'added', liveness: 'ready', policy: 'eligible' });
    expect(added.tls).toMatchObject({ state: 'pinned', fingerprint: agent.fingerprint });

    // The agent comes back with another certificate: the controller refuses it until accepted.
    const pinned = agent.fingerprint;
    await agent.process.stop();
    rmSync(join(agent.dataDir, 'tls'), { recursive: true });
    await agent.restart();
    expect(agent.fingerprint).not.toBe(pinned);
    await waitFor(
      async () =>
        (await cliJson<Host>(['hosts', 'show', added.id], env)).tls.state === 'certificate_changed',
      { what: 'the controller to notice the new certificate', timeoutMs: 60_000, intervalMs: 500 },
    );
    const shown = await runCli(['hosts', 'show', added.id], { env });
    expect(shown.stdout).toMatch(/certificate\s+CHANGED: refused until accepted/);
    expect(shown.stdout).toContain(agent.fingerprint);
    const accepted = await runCli(['hosts', 'accept-certificate', added.id], { env });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(new RegExp(`certificate\\s+pinned ${agent.fingerprint}`));
    expect(await cliJson<Host[]>(['hosts', 'list'], env)).toHaveLength(4);
    const org = await cliJson<{ id: string }>(['orgs', 'create', 'Rack Four'], env);
    const assigned = await cliJson<Host>(['hosts', 'assign', added.id, '--org', org.id], env);
    expect(assigned.org_id).toBe(org.id);
    await cliJson(['hosts', 'remove', added.id], env);
    expect(await cliJson<Host[]>(['hosts', 'list'], env)).toHaveLength(3);
    await agent.process.stop();
    await cliJson(['orgs', 'delete', org.id], env);
    expect(
      (await cliJson<Array<{ id: string }>>(['orgs', 'list'], env)).map((o) => o.id),
    ).not.toContain(org.id);
  });

  it('deletes an image no VM uses any more', async () => {
    const [image] = await cliJson<Image[]>(['images', 'list'], env);
    await cliJson(['images', 'delete', image?.digest as string], env);
    expect(await cliJson<Image[]>(['images', 'list'], env)).toEqual([]);
  });

  it('keeps several profiles, switches between them, and logs out', async () => {
    const created = await cliJson<{ id: string; key: string }>(
      ['api-keys', 'create', 'second'],
      env,
    );
    const keys = await cliJson<Array<{ id: string; prefix: string }>>(['api-keys', 'list'], env);
    expect(keys.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(keys)).not.toContain(created.key);
    const login = await runCli(
      ['login', '--url', fleet.controllerUrl, '--api-key-stdin', '--name', 'second'],
      { env, stdin: `${created.key}\n` },
    );
    expect(login.code).toBe(0);
    const profiles = await cliJson<Array<{ name: string; current: boolean }>>(
      ['profiles', 'list'],
      env,
    );
    expect(profiles).toEqual([
      expect.objectContaining({ name: 'default', current: false }),
      expect.objectContaining({ name: 'second', current: true }),
    ]);
    expect((await cliJson<WhoAmI>(['whoami'], env)).via).toBe('api_key');
    await cliJson(['profiles', 'use', 'default'], env);
    expect((await cliJson<WhoAmI>(['whoami'], env)).via).toBe('session');
    expect((await runCli(['logout'], { env })).code).toBe(0);
    const after = await runCli(['whoami'], { env });
    expect(after.code).toBe(1);
  });

  it('explains bad input field by field and exits 1; usage mistakes exit 2', async () => {
    const bad = await runCli(
      ['envs', 'create', '--id', 'Bad Name', '--image', 'alpine-cloud', '--ssh-key', key],
      { env },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --id 'Bad Name': must be 1-40 lowercase/m);
    // Limits come back in the units the flags were typed in, one line per problem.
    const limits = await runCli(
      ['envs', 'create', '--id', 'ok', '--image', 'alpine-cloud', '--ssh-key', key, '--count', '0'],
      { env },
    );
    expect(limits.stderr).toBe('error: --count 0: at least 1\n');
    const lifetime = await runCli(
      ['envs', 'create', '--id', 'ok', '--image', 'a', '--ssh-key', key, '--lifetime', '400d'],
      { env },
    );
    expect(lifetime.stderr).toBe('error: --lifetime 400d: at most 30d\n');
    const extend = await runCli(['envs', 'extend', 'cli-env', '--by', '31d'], { env });
    expect(extend.code).toBe(1);
    expect(extend.stderr).toBe('error: --by 31d: at most 30d\n');
    const usage = await runCli(['hosts', 'drain', 'x', '--mode', 'sideways'], { env });
    expect(usage.code).toBe(2);
    const unknown = await runCli(['frobnicate'], { env });
    expect(unknown.code).toBe(2);
  });

  it('says how to fix an unreachable controller', async () => {
    const result = await runCli(['status'], {
      env: {
        HOME: dir,
        APIARY_URL: 'http://127.0.0.1:65500',
        APIARY_CONFIG: join(dir, 'none.json'),
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/hint: is the controller running at http:\/\/127\.0\.0\.1:65500/);
  });
});
