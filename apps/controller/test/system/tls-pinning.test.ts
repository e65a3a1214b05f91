import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AgentInfo, Env } from '@apiary/protocol';
import { createSelfSignedCertificate, fingerprintOf, probeCertificate } from '@apiary/server-kit';
import {
  AgentDaemon,
  bins,
  ControllerDaemon,
  type Fleet,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { tempDir } from '@apiary/testkit/test-temp';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';

/*
 * TLS between the real programs: what each daemon refuses, and that certificates can be
 * renewed without a restart (SIGHUP) but not swapped behind the controller's back.
 */

let fleet: Fleet;
fleetForFile({ agents: 1, controllerArgs: ['--heartbeat-interval-ms', '500'] }, async (f) => {
  fleet = f;
  await uploadSampleImage(f.admin, 'alpine-cloud');
});

const run = promisify(execFile);
const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

/** A certificate for 127.0.0.1 written as PEM files in `dir`. */
async function certificateIn(dir: string, name: string) {
  const made = await createSelfSignedCertificate({ commonName: name, names: ['127.0.0.1'] });
  mkdirSync(dir, { recursive: true });
  const files = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}-key.pem`) };
  writeFileSync(files.certFile, made.cert, { mode: 0o600 });
  writeFileSync(files.keyFile, made.key, { mode: 0o600 });
  return { ...files, fingerprint: fingerprintOf(made.cert) };
}

async function exitOf(bin: string, args: string[]) {
  try {
    await run(process.execPath, [bin, ...args], { timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('plain HTTP off loopback', () => {
  it('both daemons refuse to start on a non-loopback address without TLS or --insecure-http', async () => {
    const dir = tempDir('tls-refuse-');
    const controller = await exitOf(bins.controller, [
      ...['--listen', '0.0.0.0:0', '--tls', 'off', '--data-dir', join(dir, 'c')],
    ]);
    expect(controller.code).toBe(2);
    expect(controller.stderr).toMatch(/refusing plain HTTP on 0\.0\.0\.0.*--insecure-http/);
    const agent = await exitOf(bins.agent, [
      ...['--listen', '0.0.0.0:0', '--tls', 'off', '--data-dir', join(dir, 'a')],
      ...['--sim', join(dir, 's')],
    ]);
    expect(agent.code).toBe(2);
    expect(agent.stderr).toMatch(/refusing plain HTTP on 0\.0\.0\.0.*--insecure-http/);
    // Nor may an agent send its license key to a controller over plain HTTP off loopback.
    const link = await exitOf(bins.agent, [
      ...['--data-dir', join(dir, 'a'), '--sim', join(dir, 's')],
      ...['--controller', 'http://10.9.8.7:9200', '--license-key-file', join(dir, 'l')],
    ]);
    expect(link.code).toBe(2);
    expect(link.stderr).toMatch(/refusing --controller http:\/\/10\.9\.8\.7:9200/);
  });

  it('apiary-controller info shows the fingerprint agents pin', async () => {
    const { stdout } = await run(process.execPath, [
      ...[bins.controller, 'info', '--data-dir', fleet.controller.dataDir, '--tls', 'on'],
    ]);
    expect(stdout).toContain(`fingerprint  ${fleet.controller.fingerprint}`);
    expect(stdout).toMatch(/serving\s+HTTPS/);
    const agent = fleet.agents[0] as AgentDaemon;
    const { stdout: agentInfo } = await run(process.execPath, [
      ...[bins.agent, 'info', '--data-dir', agent.dataDir, '--sim', agent.simDir, '--tls', 'on'],
    ]);
    expect(agentInfo).toContain(`fingerprint  ${agent.fingerprint}`);
    expect(agentInfo).toContain(`host id      ${agent.hostId}`);
  });
});

describe('certificate renewal', () => {
  it('SIGHUP makes the controller serve the new --tls-cert/--tls-key without a restart', async () => {
    const dir = tempDir('tls-reload-');
    const a = await certificateIn(join(dir, 'made'), 'a');
    const b = await certificateIn(join(dir, 'made'), 'b');
    const served = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
    copyFileSync(a.certFile, served.certFile);
    copyFileSync(a.keyFile, served.keyFile);
    const c = await ControllerDaemon.start({ dataDir: join(dir, 'c'), tlsFiles: served });
    try {
      expect((await probeCertificate('127.0.0.1', c.port, 5_000)).fingerprint).toBe(a.fingerprint);
      copyFileSync(b.certFile, served.certFile);
      copyFileSync(b.keyFile, served.keyFile);
      c.reloadCertificate();
      await waitFor(
        async () =>
          (await probeCertificate('127.0.0.1', c.port, 5_000)).fingerprint === b.fingerprint,
        { what: 'the controller to serve the new certificate', timeoutMs: 30_000 },
      );
      expect(c.process.running).toBe(true);
      expect((await c.fetch('/v1/health')).status).toBe(200);
      expect(c.process.output).toContain('"msg":"certificate reloaded"');
    } finally {
      await c.stop();
    }
  });
});

describe('the agent pins the controller', () => {
  it('refuses a controller whose certificate is not the pinned one, and says so', async () => {
    const dir = tempDir('tls-agent-pin-');
    const wrong = (await certificateIn(dir, 'other')).fingerprint;
    const agent = await AgentDaemon.start({
      dataDir: join(dir, 'agent'),
      simDir: join(dir, 'sim'),
      args: [
        ...[
          '--controller',
          fleet.controller.url,
          '--license-key-file',
          fleet.controller.licenseFile,
        ],
        ...['--controller-fingerprint', wrong],
      ],
    });
    try {
      const key = await agent.createKey('viewer');
      const info = await waitFor(
        async () => {
          const i = await json<AgentInfo>(
            agent.fetch('/api/info', { headers: { authorization: `Bearer ${key}` } }),
          );
          return i.controller?.last_error ? i : undefined;
        },
        { what: 'the agent to report why it cannot reach the controller', timeoutMs: 30_000 },
      );
      expect(info.controller).toMatchObject({ registered: false });
      expect(info.controller?.last_error).toMatch(/certificate changed/);
      expect(info.controller?.last_error).toContain(fleet.controller.fingerprint);
      expect(agent.process.output).toContain('refusing the controller');
      // Nothing reached the controller: it never heard of this host.
      await expect(fleet.admin.getHost({ params: { id: agent.hostId } })).rejects.toThrow(
        /not found|404/i,
      );
    } finally {
      await agent.stop();
    }
  });
});

describe('the controller pins each agent', () => {
  it('refuses an agent whose certificate changed and marks the host, until an operator accepts it', async () => {
    const agent = fleet.agents[0] as AgentDaemon;
    const pinned = agent.fingerprint;
    const host = await fleet.admin.getHost({ params: { id: agent.hostId } });
    expect(host.tls).toEqual({ state: 'pinned', fingerprint: pinned, presented_fingerprint: null });

    // Someone else's certificate at the agent's address (here: the agent itself, renewed).
    const renewed = await certificateIn(tempDir('tls-renew-'), 'renewed');
    copyFileSync(renewed.certFile, join(agent.dataDir, 'tls', 'cert.pem'));
    copyFileSync(renewed.keyFile, join(agent.dataDir, 'tls', 'key.pem'));
    agent.reloadCertificate();
    await waitFor(
      async () =>
        (await probeCertificate('127.0.0.1', agent.port, 5_000)).fingerprint ===
        renewed.fingerprint,
      { what: 'the agent to serve its new certificate', timeoutMs: 30_000 },
    );

    // The agent tells the controller of its new certificate (it registers again); the
    // controller keeps the pin and marks the host. (A host added by address is marked by the
    // first refused connection instead: see the CLI's system test.)
    const marked = await waitFor(
      async () => {
        const h = await fleet.admin.getHost({ params: { id: agent.hostId } });
        return h.tls.state === 'certificate_changed' ? h : undefined;
      },
      { what: 'the host to be marked', timeoutMs: 30_000 },
    );
    expect(marked.tls).toEqual({
      state: 'certificate_changed',
      fingerprint: pinned,
      presented_fingerprint: renewed.fingerprint,
    });
    expect(fleet.controller.process.output).toContain('host certificate changed');
    // Nothing is sent to it meanwhile: a console is refused before dialing.
    const ticket = await fleet.controller.call('POST', '/v1/vms/nope-0/console', {
      kind: 'serial',
    });
    expect(ticket.status).toBe(404);
    // No new work goes there while it is marked; placement says why.
    const refused = await fleet.controller.call('POST', '/v1/envs', envBody('refused'));
    expect(refused.status).toBe(409);
    expect(await refused.text()).toMatch(/certificate changed/);

    // Accepting must name the certificate actually presented.
    const wrongAccept = await fleet.controller.call(
      'POST',
      `/v1/hosts/${agent.hostId}/accept-certificate`,
      { fingerprint: pinned },
    );
    expect(wrongAccept.status).toBe(409);
    const accepted = await fleet.admin.acceptHostCertificate({
      params: { id: agent.hostId },
      body: { fingerprint: renewed.fingerprint },
    });
    expect(accepted.tls).toEqual({
      state: 'pinned',
      fingerprint: renewed.fingerprint,
      presented_fingerprint: null,
    });
    expect((await createEnv('accepted')).state).toBe('active');
  });
});

function envBody(id: string) {
  return {
    id,
    ssh_keys: [sshKey()],
    vms: [{ image: 'alpine-cloud', cpu: 1, mem: 512, disk: 10240 }],
  };
}

async function createEnv(id: string): Promise<Env> {
  const res = await fleet.controller.call('POST', '/v1/envs', envBody(id));
  expect(res.status, await res.clone().text()).toBe(202);
  return waitFor(
    async () => {
      const e = await json<Env>(fleet.controller.call('GET', `/v1/envs/${id}`));
      return ['active', 'failed', 'degraded'].includes(e.state) ? e : undefined;
    },
    { what: `${id} to settle`, timeoutMs: 120_000, intervalMs: 250 },
  );
}
