import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { fakeController } from './helpers/fake-controller.js';

const bin = join(import.meta.dirname, '..', 'bin', 'apiary-agent.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  // Wait for each exit: a dying agent may still write to its data dir.
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
function startAgent(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'apiary-agent-'));
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

describe('apiary-agent program', () => {
  it('serves /api/health and /api/info on the address given by --listen', async () => {
    const base = await startAgent();
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'healthy' });
    // Info needs a viewer key; without one the agent answers 401 in the error shape.
    const anonymous = await fetch(`${base}/api/info`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'unauthenticated' });
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
    expect(err).toContain('--data-dir');
  });

  it('rejects an unknown flag', async () => {
    const child = spawn(process.execPath, [bin, '--bogus']);
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
  });

  it('initializes an empty --sim directory and reports the simulated host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-agent-'));
    dirs.push(dir);
    const simDir = join(dir, 'sim');
    const dataDir = join(dir, 'data');
    const child = spawn(process.execPath, [
      bin,
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--sim',
      simDir,
    ]);
    children.push(child);
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"addr":"([^"]+)"[^\n]*"msg":"listening"/.exec(out);
        if (match) resolve(`http://${match[1]}`);
      });
      child.on('exit', (code) => reject(new Error(`agent exited with ${code}: ${out}`)));
    });
    expect(existsSync(join(simDir, 'state.json'))).toBe(true);
    const key = execFileSync(
      process.execPath,
      [bin, 'keys', 'create', '--data-dir', dataDir, '--role', 'viewer'],
      {
        encoding: 'utf8',
      },
    ).split('\n')[0];
    const info = (await (
      await fetch(`${base}/api/info`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as {
      host_id: string;
      hostname: string;
      engines: string[];
      resources: { total: { cpu: number } };
    };
    expect(info.host_id).toMatch(/^host_/);
    // The simulated host's node name, not the name of the machine running the test.
    expect(info.hostname).toBe('omnios-sim');
    expect(info.engines).toEqual(['bhyve']);
    expect(info.resources.total.cpu).toBe(8);
  });

  it('registers with a controller at its bound address and deregisters on SIGTERM', async () => {
    const controller = fakeController();
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: controller.app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
        resolve(s),
      );
    });
    const { port } = server.address() as AddressInfo;
    const dir = mkdtempSync(join(tmpdir(), 'apiary-agent-'));
    dirs.push(dir);
    const license = join(dir, 'license');
    writeFileSync(license, 'lic_0123456789abcdef0123\n', { mode: 0o600 });
    const child = spawn(process.execPath, [
      bin,
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      join(dir, 'data'),
      '--sim',
      join(dir, 'sim'),
      '--controller',
      `http://127.0.0.1:${port}`,
      '--license-key-file',
      license,
    ]);
    children.push(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    for (let i = 0; i < 200 && controller.state.heartbeats.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const bound = /"addr":"([^"]+)"[^\n]*"msg":"listening"/.exec(out)?.[1];
    expect(controller.state.registrations[0]?.addr).toBe(`http://${bound}`);
    expect(out).not.toContain('lic_0123456789abcdef0123');
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(controller.state.deregistered).toBe(1);
    server.close();
  }, 60_000);
});
