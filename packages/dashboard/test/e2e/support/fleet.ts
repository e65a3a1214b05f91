import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { binDir, initHost, stopZoneDaemon } from '@apiary/illumos-sim';
import { createControllerClient } from '@apiary/protocol';
import { freePort, type Program, startProgram } from './processes.js';

const REPO = resolve(import.meta.dirname, '../../../../..');
const CONTROLLER_BIN = join(REPO, 'apps/controller/bin/apiary-controller.js');
const AGENT_BIN = join(REPO, 'apps/agent/bin/apiary-agent.js');

export interface Bootstrap {
  adminUser: string;
  adminPassword: string;
  adminApiKey: string;
  licenseKey: string;
}

export interface Fleet {
  controllerUrl: string;
  bootstrap: Bootstrap;
  hostnames: string[];
  programs: Program[];
  /** Everything the programs printed, for a failing test's report. */
  logs: () => string;
  stop: () => Promise<void>;
}

/**
 * A real controller and `agents` real agents, each on its own simulated OmniOS host, as the
 * built programs (`apiary-controller`, `apiary-agent --sim`) on ephemeral ports. The agents
 * register themselves with the license key from the controller's bootstrap.json.
 */
export async function startFleet(options: { agents: number }): Promise<Fleet> {
  for (const bin of [CONTROLLER_BIN, AGENT_BIN]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'apiary-e2e-'));
  const programs: Program[] = [];
  const hostnames = Array.from(
    { length: options.agents },
    (_, i) => `omni-${String.fromCharCode(97 + i)}`,
  );
  // Programs first, then each host's console daemon (started detached by `zoneadm boot` of a
  // VM with VNC), then the directory.
  const stop = async () => {
    try {
      await Promise.all(programs.slice(1).map((p) => p.stop()));
      await programs[0]?.stop();
      for (const hostname of hostnames) await stopZoneDaemon(join(dir, hostname, 'host'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const controllerDir = join(dir, 'controller');
    const controller = startProgram('controller', CONTROLLER_BIN, [
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      controllerDir,
      // Liveness in seconds, not tens of seconds: a browser test watches it change.
      '--heartbeat-interval-ms',
      '1000',
      '--drain-interval-ms',
      '250',
    ]);
    programs.push(controller);
    const listening = await controller.waitForLog((l) => l.msg === 'listening');
    const controllerUrl = `http://127.0.0.1:${listening.port as number}`;
    const bootstrap = JSON.parse(
      readFileSync(join(controllerDir, 'bootstrap.json'), 'utf8'),
    ) as Bootstrap;
    const licenseFile = join(dir, 'license-key');
    writeFileSync(licenseFile, bootstrap.licenseKey, { mode: 0o600 });

    for (const [i, hostname] of hostnames.entries()) {
      const simRoot = join(dir, hostname, 'host');
      initHost(simRoot, {
        hostname,
        cpus: 16 + 8 * i,
        ram: `${64 + 32 * i}G`,
        pools: [{ name: 'rpool', size: '2T' }],
      });
      const port = await freePort();
      const agent = startProgram(hostname, AGENT_BIN, [
        '--listen',
        `127.0.0.1:${port}`,
        '--data-dir',
        join(dir, hostname, 'data'),
        '--sim',
        simRoot,
        '--controller',
        controllerUrl,
        '--license-key-file',
        licenseFile,
      ]);
      programs.push(agent);
    }
    await Promise.all(programs.slice(1).map((p) => p.waitForLog((l) => l.msg === 'listening')));
    await waitForReadyHosts(controllerUrl, bootstrap.adminApiKey, options.agents);
    return {
      controllerUrl,
      bootstrap,
      hostnames,
      programs,
      logs: () => programs.map((p) => `--- ${p.name}\n${p.output().slice(-4000)}`).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Agents listen before they have registered: wait until the controller sees them all ready. */
async function waitForReadyHosts(controllerUrl: string, apiKey: string, count: number) {
  const api = createControllerClient({ baseUrl: controllerUrl, token: apiKey });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { items } = await api.listHosts();
    if (items.filter((h) => h.liveness === 'ready').length === count) return;
    if (Date.now() > deadline) {
      throw new Error(`only ${items.length} of ${count} hosts registered and ready after 30 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A small bootable image as OmniOS hosts carry them: a `zfs send` stream of a volume snapshot,
 * made on a separate simulated builder host.
 */
export function buildSampleImage(): { stream: Buffer; digest: string } {
  const root = mkdtempSync(join(tmpdir(), 'apiary-image-'));
  try {
    initHost(join(root, 'builder'), {});
    const env = { ...process.env, ILLUMOS_SIM_ROOT: join(root, 'builder') };
    const zfs = (...args: string[]) =>
      execFileSync(join(binDir(), 'zfs'), args, { env, encoding: 'buffer', maxBuffer: 1 << 30 });
    zfs('create', '-V', String(1024 * 1024 * 1024), 'rpool/box');
    writeFileSync(
      join(root, 'builder', 'root', 'dev', 'zvol', 'dsk', 'rpool', 'box'),
      'bootable disk\n',
    );
    zfs('snapshot', 'rpool/box@v1');
    const stream = zfs('send', 'rpool/box@v1');
    return { stream, digest: `sha256:${createHash('sha256').update(stream).digest('hex')}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
