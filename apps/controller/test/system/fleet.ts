import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type HostState,
  initHost,
  readState,
  runCommand,
  stopZoneDaemon,
} from '@apiary/illumos-sim';
import { type ControllerClient, createControllerClient } from '@apiary/protocol';
import { tempDir } from '../helpers/temp.js';
import { Proc } from './proc.js';

/*
 * System-test fleet: the real controller and real agents, each its own process on an
 * ephemeral port, the agents on simulated OmniOS hosts. Nothing here is a fake.
 */

const REPO = join(import.meta.dirname, '../../../..');
const CONTROLLER_BIN = join(REPO, 'apps/controller/bin/apiary-controller.js');
const AGENT_BIN = join(REPO, 'apps/agent/bin/apiary-agent.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ControllerProc {
  url: string;
  dataDir: string;
  adminKey: string;
  licenseKey: string;
  licenseFile: string;
  api: ControllerClient;
  proc: Proc;
  /** Plain fetch with the admin key (seed-style curl calls). */
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<Response>;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startController(
  extraArgs: string[] = [],
  dataDir = tempDir('sys-ctl'),
): Promise<ControllerProc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    CONTROLLER_BIN,
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    dataDir,
    ...extraArgs,
  ];
  const proc = new Proc('controller', args);
  await proc.start();
  await waitFor('controller to listen', () => proc.output.includes('"msg":"listening"'), 30_000);
  const boot = JSON.parse(readFileSync(join(dataDir, 'bootstrap.json'), 'utf8')) as {
    adminApiKey: string;
    licenseKey: string;
  };
  const licenseFile = join(dataDir, 'license.key');
  writeFileSync(licenseFile, boot.licenseKey, { mode: 0o600 });
  const c: ControllerProc = {
    url,
    dataDir,
    adminKey: boot.adminApiKey,
    licenseKey: boot.licenseKey,
    licenseFile,
    api: createControllerClient({ baseUrl: url, token: boot.adminApiKey }),
    proc,
    call: (method, path, body, token) =>
      fetch(url + path, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token ?? boot.adminApiKey}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await proc.stop('SIGTERM');
      const before = proc.output.length;
      await proc.start();
      await waitFor(
        'controller to listen again',
        () => proc.output.slice(before).includes('"msg":"listening"'),
        30_000,
      );
    },
  };
  return c;
}

export interface AgentProc {
  hostId: string;
  url: string;
  simDir: string;
  dataDir: string;
  proc: Proc;
  /** The simulated host's state (zones, datasets, links). */
  host(): HostState;
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface AgentOptions {
  /** Register with this controller (license key file); omitted: a standalone agent. */
  controller?: ControllerProc;
  cpus?: number;
  ram?: string;
  hostname?: string;
}

export async function startAgent(o: AgentOptions = {}): Promise<AgentProc> {
  const base = tempDir('sys-agent');
  const simDir = join(base, 'sim');
  const dataDir = join(base, 'data');
  initHost(simDir, {
    cpus: o.cpus ?? 8,
    ram: o.ram ?? '32G',
    hostname: o.hostname ?? 'omnios-sim',
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [AGENT_BIN, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--sim', simDir];
  if (o.controller)
    args.push('--controller', o.controller.url, '--license-key-file', o.controller.licenseFile);
  const proc = new Proc(`agent ${port}`, args);
  const ready = async (from: number, firstStart: boolean) => {
    await waitFor(
      'agent to listen',
      () => proc.output.slice(from).includes('"msg":"listening"'),
      60_000,
    );
    // After a restart the agent resumes heartbeats with its saved credential: no registration.
    if (o.controller && firstStart) {
      await waitFor(
        'agent to register',
        () => proc.output.slice(from).includes('registered with controller'),
        60_000,
      );
    }
  };
  await proc.start();
  await ready(0, true);
  const hostId = (proc.output.match(/"host_id":"(host_[a-z0-9]+)"/) ?? [])[1] as string;
  return {
    hostId,
    url,
    simDir,
    dataDir,
    proc,
    host: () => readState(simDir),
    async cleanup() {
      await stopZoneDaemon(simDir).catch(() => false);
      rmSync(base, { recursive: true, force: true });
    },
    async restart() {
      const from = proc.output.length;
      await proc.start();
      await ready(from, false);
    },
  };
}

/** An agent key for a standalone agent (`apiary-agent keys create`). */
export function createAgentKey(agent: AgentProc, role = 'operator'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      AGENT_BIN,
      'keys',
      'create',
      '--data-dir',
      agent.dataDir,
      '--role',
      role,
    ]);
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('exit', (code) => {
      const key = out.match(/wh_[0-9a-f]{32,64}/)?.[0];
      if (code === 0 && key) resolve(key);
      else reject(new Error(`keys create failed (${code}): ${out}`));
    });
  });
}

let imageCache: Buffer | undefined;

/** A small image: the stream the simulator's `zfs send` makes of a fresh volume. */
export async function makeImage(): Promise<Buffer> {
  if (imageCache) return imageCache;
  const root = mkdtempSync(join(tmpdir(), 'apiary-sys-img-'));
  try {
    initHost(root, {});
    const run = async (argv: string[]) => {
      const r = await runCommand({ argv, root });
      if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
      return r;
    };
    await run(['zfs', 'create', '-V', '1G', 'rpool/alpine']);
    await run(['zfs', 'snapshot', 'rpool/alpine@base']);
    const sent = await run(['zfs', 'send', 'rpool/alpine@base']);
    imageCache = Buffer.from(sent.stdout);
    return imageCache;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function uploadImage(c: ControllerProc, name: string, token?: string) {
  const image = await makeImage();
  const res = await fetch(`${c.url}/api/images?name=${name}&format=zfs-send`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token ?? c.adminKey}`,
      'content-type': 'application/octet-stream',
    },
    body: image,
  });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`upload: ${res.status} ${await res.text()}`);
  return (await res.json()) as { digest: string };
}

/**
 * What VMs leave on a simulated host: zones, per-VM VNICs, VM datasets, port-forward rules and
 * per-zone filter instances. Host-wide plumbing (the NAT etherstub and gateway, the image
 * store) is shared and not counted.
 */
export function footprint(state: HostState) {
  return {
    zones: state.zones
      .filter((z) => z.name !== 'global')
      .map((z) => `${z.name}:${z.state}`)
      .sort(),
    vnics: state.links
      .filter((l) => /^apiary\d+n0$/.test(l.name))
      .map((l) => l.name)
      .sort(),
    datasets: Object.keys(state.datasets)
      .filter((d) => d.includes('/apiary/vms/'))
      .sort(),
    rdr: state.ipfilter.global.nat.filter((r) => r.startsWith('rdr')),
    filters: Object.keys(state.ipfilter.zones).sort(),
  };
}

export const EMPTY_FOOTPRINT = { zones: [], vnics: [], datasets: [], rdr: [], filters: [] };

export function sshKey(comment = 'alice@laptop'): string {
  const type = 'ssh-ed25519';
  const bytes = [0, 0, 0, type.length, ...[...type].map((c) => c.charCodeAt(0)), 0, 0, 0, 32];
  for (let i = 0; i < 32; i++) bytes.push((i * 37) % 256);
  return `${type} ${Buffer.from(bytes).toString('base64')} ${comment}`;
}

/**
 * Stops the processes, then what they left running or on disk: the simulator's console daemon
 * (started by `zoneadm boot` for zones with VNC) and the temporary directories.
 */
export async function stopAll(
  ...procs: Array<{ proc: Proc; cleanup?: () => Promise<void> } | undefined>
) {
  await Promise.all(procs.map((p) => p?.proc.stop('SIGTERM')));
  await Promise.all(procs.map((p) => p?.cleanup?.()));
}
