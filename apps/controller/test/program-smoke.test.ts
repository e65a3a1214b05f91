import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
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

/** Starts the real program on an ephemeral port and resolves with its base URL. */
function startController(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'apiary-ctl-'));
  dirs.push(dataDir);
  const child = spawn(process.execPath, [bin, '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"addr":"([^"]+)"/.exec(out);
      if (match) resolve(`http://${match[1]}`);
    });
    child.on('exit', (code) => reject(new Error(`controller exited with ${code}: ${out}`)));
  });
}

describe('apiary-controller program', () => {
  it('serves /v1/health and service info on the address given by --listen', async () => {
    const base = await startController();
    const health = await fetch(`${base}/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    const info = await fetch(`${base}/`, { headers: { accept: 'application/json' } });
    expect(await info.json()).toMatchObject({ service: 'apiary-controller' });
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
