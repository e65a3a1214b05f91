import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConsoleTicket, createControllerClient, type Env } from '@apiary/protocol';
import { AgentDaemon, type Fleet, sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { onCleanup, tempDir } from '@apiary/testkit/test-temp';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { asVmNames } from './footprint.js';
import { RecordingProxy } from './recording-proxy.js';
import { WsReader } from './ws-reader.js';

/*
 * Someone on the wire between the programs: every connection of a working fleet goes through a
 * recording TCP proxy (agent -> controller, controller -> agent, user -> controller, consoles
 * included), and nothing that grants access may be found in what they carried.
 */

let fleet: Fleet;
fleetForFile(
  { agents: 0, controllerArgs: ['--heartbeat-interval-ms', '300', '--poll-interval-ms', '300'] },
  async (f) => {
    fleet = f;
    await uploadSampleImage(f.admin, 'alpine-cloud');
  },
);

async function proxyTo(port: number): Promise<RecordingProxy> {
  const proxy = await new RecordingProxy({ host: '127.0.0.1', port }).start();
  onCleanup(() => proxy.stop());
  return proxy;
}

describe('on the wire', () => {
  it('no API key, host credential, license key, password, session token or console ticket crosses in clear', async () => {
    const c = fleet.controller;
    const dir = tempDir('tls-wire-');
    const agentToController = await proxyTo(c.port);
    const userToController = await proxyTo(c.port);

    // Agent A registers, and heartbeats, through a proxy (license key, host credential, the key
    // it gives the controller).
    const a = await AgentDaemon.start({
      dataDir: join(dir, 'a'),
      simDir: join(dir, 'sim-a'),
      args: [
        ...['--controller', `https://127.0.0.1:${agentToController.port}`],
        ...['--license-key-file', c.licenseFile, '--controller-fingerprint', c.fingerprint],
      ],
    });
    onCleanup(() => a.stop());
    await waitFor(
      async () =>
        (await fleet.admin.getHost({ params: { id: a.hostId } }).catch(() => null))?.liveness ===
        'ready',
      { what: 'agent A to register through the proxy', timeoutMs: 60_000 },
    );
    // Agent B is added by address through another proxy (its operator key on every call).
    const b = await AgentDaemon.start({ dataDir: join(dir, 'b'), simDir: join(dir, 'sim-b') });
    onCleanup(() => b.stop());
    const controllerToAgent = await proxyTo(b.port);
    const bKey = await b.createKey('operator');
    await fleet.admin.addHost({
      body: {
        addr: `https://127.0.0.1:${controllerToAgent.port}`,
        api_key: bKey,
        tls_fingerprint: b.fingerprint,
      },
    });
    // New VMs go to B only.
    await fleet.admin.drainHost({ params: { id: a.hostId }, body: { mode: 'wait' } });

    // A user logs in and works through a third proxy, console included.
    const user = createControllerClient({
      baseUrl: `https://127.0.0.1:${userToController.port}`,
      fetch: c.fetchImpl,
    });
    const { token } = await user.login({
      body: { username: fleet.bootstrap.adminUser, password: fleet.bootstrap.adminPassword },
    });
    const session = createControllerClient({
      baseUrl: `https://127.0.0.1:${userToController.port}`,
      fetch: c.fetchImpl,
      token,
    });
    await session.createEnv({
      body: {
        id: 'wire',
        ssh_keys: [sshKey()],
        vms: [{ image: 'alpine-cloud', cpu: 1, mem: 512, disk: 10240 }],
      },
    });
    const env = await waitFor(
      async () => {
        const e: Env = await session.getEnv({ params: { id: 'wire' } });
        return ['active', 'failed'].includes(e.state) ? e : undefined;
      },
      { what: 'the environment to settle', timeoutMs: 120_000, intervalMs: 300 },
    );
    expect(env.state).toBe('active');
    expect(env.vms[0]?.host_id).toBe(b.hostId);
    const ticket: ConsoleTicket = await session.consoleTicket({
      params: { id: 'wire-0' },
      body: { kind: 'serial' },
    });
    const url = new URL(ticket.url, `wss://127.0.0.1:${userToController.port}`);
    url.protocol = 'wss:';
    const console = new WsReader(url.href, c.certFile);
    await console.opened;
    // The zone is the VM's internal id, `wire-<8 base32>-0` (see footprint.ts).
    await console.until('console login: ');
    expect(asVmNames([console.text().match(/zone '([^']+)'/)?.[1] ?? ''])).toEqual(['wire-0']);
    console.ws.send(Buffer.from('root\r'));
    await console.until('Password: ');
    console.ws.close(1000, 'done');
    await console.closed;
    // More heartbeats, polls and user reads through the proxies, until each has carried enough
    // to be searched (waited for, not slept: how many heartbeats fit in a fixed time depends on
    // the machine's load).
    const proxies = { agentToController, controllerToAgent, userToController };
    const enoughBytes = 20_000;
    await waitFor(
      async () => {
        await session.getEnv({ params: { id: 'wire' } });
        return Object.values(proxies).every((p) => p.bytes.length > enoughBytes);
      },
      { what: 'every proxy to carry traffic', timeoutMs: 60_000, intervalMs: 300 },
    );

    const hostCredential = JSON.parse(
      readFileSync(join(a.dataDir, 'controller-credential.json'), 'utf8'),
    ).host_credential as string;
    const secrets = {
      'license key': fleet.bootstrap.licenseKey,
      'host credential': hostCredential,
      'agent B key': bKey,
      'admin password': fleet.bootstrap.adminPassword,
      'session token': token,
      'console ticket': ticket.ticket,
    };
    for (const [name, proxy] of Object.entries(proxies)) {
      const wire = proxy.bytes;
      expect(wire.length, `${name} carried traffic`).toBeGreaterThan(enoughBytes);
      expect(proxy.sawTlsHandshake, `${name} began with a TLS handshake`).toBe(true);
      const text = wire.toString('latin1');
      for (const [what, secret] of Object.entries(secrets)) {
        expect(wire.includes(Buffer.from(secret)), `${what} on ${name}`).toBe(false);
      }
      // Any secret of any kind, and any HTTP request in clear at all (reported by what
      // matched: the rest is ciphertext).
      for (const clear of [
        /\b(apl|aph|aps|apt|apy)_[a-z2-7]{20}/,
        /\bwh_[0-9a-f]{32}/,
        /authorization: |bearer [a-z0-9]/i,
        // A request or status line. (`http/1.1` alone is the ALPN name in the ClientHello.)
        /HTTP\/1\.1(\r\n| [1-5]\d\d )/,
      ]) {
        expect(text.match(clear)?.[0] ?? null, `${clear} on ${name}`).toBeNull();
      }
    }
  });
});
