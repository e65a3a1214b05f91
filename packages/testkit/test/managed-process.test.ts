import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../src/managed-process.js';
import { GiveUpWaiting } from '../src/wait-for.js';
import { waitUntilServing } from '../src/wait-serving.js';

const dir = mkdtempSync(join(tmpdir(), 'apiary-testkit-'));
const started: ManagedProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((p) => p.kill()));
  rmSync(dir, { recursive: true, force: true });
});

/** `node -e script` as a managed process, killed after the file if a test leaves it running. */
function run(script: string, options: ConstructorParameters<typeof ManagedProcess>[2] = {}) {
  const proc = new ManagedProcess('script', ['-e', script], options);
  started.push(proc);
  return proc;
}

const RUN_COUNT = `
  const fs = require('node:fs');
  const file = process.env.COUNT_FILE;
  const n = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) + 1 : 1;
  fs.writeFileSync(file, String(n));
  console.log('run ' + n);
  console.error('err ' + n);
  setInterval(() => {}, 1000);
`;

describe('ManagedProcess', () => {
  it('keeps stdout and stderr of every run, and restarts the same program', async () => {
    const proc = run(RUN_COUNT, { env: { COUNT_FILE: join(dir, 'count-a') } });
    await expect.poll(() => proc.output).toContain('err 1');
    await proc.restart();
    await expect.poll(() => proc.output).toContain('err 2');
    expect(proc.output).toContain('run 1');
    expect(proc.output).toContain('run 2');
    expect(proc.running).toBe(true);
    await proc.stop();
    expect(proc.running).toBe(false);
  });

  it('starts a killed program again on restart', async () => {
    const proc = run(RUN_COUNT, { env: { COUNT_FILE: join(dir, 'count-b') } });
    await expect.poll(() => proc.output).toContain('run 1');
    await proc.kill();
    expect(proc.child.signalCode).toBe('SIGKILL');
    await proc.restart();
    await expect.poll(() => proc.output).toContain('run 2');
    await proc.stop();
  });

  it('kills a program that ignores SIGTERM once the stop timeout has passed', async () => {
    const proc = run(
      `process.on('SIGTERM', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000);`,
    );
    await expect.poll(() => proc.output).toContain('up');
    const before = Date.now();
    await proc.stop(300);
    expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    expect(proc.output).toContain('ignored');
    expect(proc.child.signalCode).toBe('SIGKILL');
  });

  it('writes to the log file only, when told not to keep the output', async () => {
    const logFile = join(dir, 'logs', 'quiet.log');
    const proc = run(`console.log('to the file')`, { logFile, keepOutput: false });
    await proc.exited;
    await expect.poll(() => readFileSync(logFile, 'utf8')).toBe('to the file\n');
    expect(proc.output).toBe('');
    expect(proc.describeOutput()).toBe(`see ${logFile}`);
  });
});

describe('waitUntilServing', () => {
  it('gives up at once, with the output, when the program exits before it serves', async () => {
    const proc = run(`console.error('bad flag --nope'); process.exit(2)`);
    const before = Date.now();
    const waiting = waitUntilServing(proc, 'http://127.0.0.1:9/health', { timeoutMs: 20_000 });
    await expect(waiting).rejects.toThrow(GiveUpWaiting);
    await expect(waiting).rejects.toThrow(/script exited \(2\)[\s\S]*bad flag --nope/);
    expect(Date.now() - before).toBeLessThan(5000);
  });

  it('resolves once the health route answers 200 and the extra condition holds', async () => {
    let ready = false;
    const server = createServer((_req, res) => res.writeHead(200).end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const proc = run('setInterval(() => {}, 1000)');
    try {
      setTimeout(() => {
        ready = true;
      }, 300);
      const before = Date.now();
      await waitUntilServing(proc, `http://127.0.0.1:${port}/health`, {
        timeoutMs: 10_000,
        ready: () => ready,
      });
      expect(Date.now() - before).toBeGreaterThanOrEqual(250);
    } finally {
      await proc.stop();
      server.close();
    }
  });
});
