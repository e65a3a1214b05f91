import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'apiary-controller.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  // Wait for each exit: a dying controller may still write to its data dir.
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    }),
  );
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Everything the program wrote so far, on stdout and stderr. */
const outputs = new Map<string, { out: string }>();

/** Starts the real program on an ephemeral port and resolves with its base URL. */
function startController(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'apiary-ctl-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [bin, '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
  children.push(child);
  const output = { out: '' };
  child.stderr.on('data', (chunk: Buffer) => {
    output.out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output.out += chunk.toString();
      const match = /"addr":"([^"]+)"/.exec(output.out);
      if (match) {
        const base = `http://${match[1]}`;
        outputs.set(base, output);
        dataDirs.set(base, dataDir);
        resolve(base);
      }
    });
    child.on('exit', (code) => reject(new Error(`controller exited with ${code}: ${output.out}`)));
  });
}
const dataDirs = new Map<string, string>();

describe('apiary-controller program', () => {
  it('serves /v1/health and service info on the address given by --listen', async () => {
    const base = await startController();
    const health = await fetch(`${base}/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'healthy', database: { ok: true } });
    const info = await fetch(`${base}/`, { headers: { accept: 'application/json' } });
    expect(await info.json()).toMatchObject({ service: 'apiary-controller' });
  });

  it('writes its first-start secrets to bootstrap.json (0600) and prints only the path', async () => {
    const base = await startController();
    const file = join(dataDirs.get(base) as string, 'bootstrap.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    // The program is serving: it is past bootstrap, and whatever it printed is in `out`.
    expect((await fetch(`${base}/v1/health`)).status).toBe(200);
    const printed = outputs.get(base)?.out ?? '';
    expect(printed).toContain(file);
    for (const name of ['adminPassword', 'adminApiKey', 'licenseKey']) {
      expect(secrets[name]?.length).toBeGreaterThan(10);
      expect(printed).not.toContain(secrets[name]);
    }
  });

  it('refuses to start without a data dir and says why', async () => {
    const child = spawn(process.execPath, [bin, '--listen', '127.0.0.1:0'], {
      env: { PATH: process.env.PATH },
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('dataDir');
  });

  it('rejects an unknown flag', async () => {
    const child = spawn(process.execPath, [bin, '--bogus']);
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
  });
});
