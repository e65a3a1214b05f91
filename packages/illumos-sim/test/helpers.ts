import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { stopZoneDaemon } from '../src/console/daemon-control.js';
import type { CommandResult } from '../src/core/io.js';
import { runCommand } from '../src/core/run-command.js';
import { type InitOptions, initHost } from '../src/host/init-host.js';

/** Test scaffolding: throwaway hosts, in-process and real-process command runners. */
const created: string[] = [];

afterEach(async () => {
  for (const root of created.splice(0)) {
    await stopZoneDaemon(root);
    rmSync(root, { recursive: true, force: true });
  }
});

export function newHost(options: InitOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'illumos-sim-test-'));
  created.push(root);
  initHost(root, options);
  return root;
}

export function run(root: string, argv: string[], stdin?: string | Buffer): Promise<CommandResult> {
  return runCommand({ argv, root, ...(stdin !== undefined ? { stdin } : {}) });
}

/** Runs and expects success; returns stdout. */
export async function ok(root: string, argv: string[], stdin?: string): Promise<string> {
  const r = await run(root, argv, stdin);
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

export const BIN = join(import.meta.dirname, '..', 'bin');

/** Runs a real executable from bin/ (a separate Node process), like the agent does. */
export function runBin(root: string, argv: string[], stdin?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, argv[0]!), argv.slice(1), {
      env: { ...process.env, ILLUMOS_SIM_ROOT: root },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? -1 }));
    child.stdin.end(stdin ?? '');
  });
}

export function writeTemp(root: string, name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

/** A bhyve zone config like the agent writes: one VNIC, one zvol boot disk. */
export function bhyveConfig(name: string, extra = ''): string {
  return `create -b
set zonepath=/zones/${name}
set brand=bhyve
set autoboot=false
set ip-type=exclusive
add net
set allowed-address=10.0.0.112/24
set physical=${name}net0
end
add device
set match=/dev/zvol/rdsk/rpool/zones/${name}/disk0
end
add attr
set name=bootdisk
set type=string
set value=rpool/zones/${name}/disk0
end
${extra}`;
}

/** Configures, installs and gives a bhyve zone its disk and VNIC; optionally boots it. */
export async function makeZone(
  root: string,
  name: string,
  boot = false,
  extra = '',
): Promise<void> {
  await ok(root, ['zonecfg', '-z', name, '-f', '-'], bhyveConfig(name, extra));
  await ok(root, ['zoneadm', '-z', name, 'install']);
  await ok(root, ['zfs', 'create', '-V', '1G', `rpool/zones/${name}/disk0`]);
  await ok(root, ['dladm', 'create-vnic', '-l', 'e1000g0', `${name}net0`]);
  if (boot) await ok(root, ['zoneadm', '-z', name, 'boot']);
}
