import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setup, teardown } from '../src/tmp-guard.js';

/*
 * The guard in this worker, as vitest runs it in its main process: setup points TMPDIR at a
 * fresh run dir, teardown fails (and cleans up) when something is left in it.
 */

afterEach(() => {
  // A failing teardown marks the process as failed; that is the guard's job, not this test's.
  process.exitCode = undefined;
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('tmp-guard', () => {
  it('gives the run its own TMPDIR and passes, removing it, when nothing is left', async () => {
    const before = tmpdir();
    setup();
    const dir = tmpdir();
    expect(dir).not.toBe(before);
    expect(dir.startsWith(before)).toBe(true);
    await teardown(0);
    expect(tmpdir()).toBe(before);
    expect(existsSync(dir)).toBe(false);
    expect(process.exitCode).toBeUndefined();
  });

  it('fails the run naming the files left behind, and removes them', async () => {
    setup();
    const dir = tmpdir();
    mkdirSync(join(dir, 'apiary-left-abc'));
    writeFileSync(join(dir, 'stray.txt'), 'x');
    await expect(teardown(0)).rejects.toThrow(
      /file\/dir: apiary-left-abc\n {2}file\/dir: stray.txt/,
    );
    expect(process.exitCode).toBe(1);
    expect(existsSync(dir)).toBe(false);
  });

  it('fails the run naming a process still running from it, and kills it', async () => {
    setup();
    const dir = tmpdir();
    // Detached and unreferenced, as sim-zoneadmd is started; it inherits TMPDIR.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    const pid = child.pid as number;
    await expect(teardown(0)).rejects.toThrow(new RegExp(`process ${pid}: .*setInterval`));
    expect(existsSync(dir)).toBe(false);
    await expect.poll(() => isAlive(pid)).toBe(false);
  });

  it('waits for a process that is already on its way out', async () => {
    setup();
    spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { stdio: 'ignore' });
    await teardown(3000);
    expect(process.exitCode).toBeUndefined();
  });

  it('removes the run dir of a vitest process that died without its teardown', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const abandoned = join(tmpdir(), `apiary-run-${dead.stdout}`);
    mkdirSync(join(abandoned, 'left'), { recursive: true });
    const unrelated = join(tmpdir(), `apiary-run-${dead.stdout}-notours`);
    mkdirSync(unrelated);
    setup();
    await teardown(0);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(unrelated)).toBe(true);
    rmSync(unrelated, { recursive: true });
  });
});
