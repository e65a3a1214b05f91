import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runLiveView } from '../src/lib/live-view.js';

/** A terminal (or not): what was written, and a keyboard whose raw mode is recorded. */
function fakeTerminal(tty: boolean) {
  const writes: string[] = [];
  const stdout = { isTTY: tty, write: (s: string) => writes.push(s) > 0 };
  const stdin = new PassThrough() as PassThrough & {
    isTTY: boolean;
    setRawMode: (on: boolean) => void;
    rawModes: boolean[];
  };
  stdin.isTTY = tty;
  stdin.rawModes = [];
  stdin.setRawMode = (on) => {
    stdin.rawModes.push(on);
  };
  return {
    writes,
    stdin,
    options: {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
    },
  };
}

describe('runLiveView', () => {
  it('redraws in place on a terminal until q, then gives the keyboard back', async () => {
    const t = fakeTerminal(true);
    let frames = 0;
    const done = runLiveView(
      'apiary vms top',
      async () => {
        frames++;
        if (frames === 3) t.stdin.write('q');
        return `frame ${frames}`;
      },
      { intervalMs: 10, ...t.options },
    );
    await done;
    expect(frames).toBe(3);
    // Each frame clears the screen and homes the cursor; the third is not drawn once q was read.
    expect(t.writes).toHaveLength(2);
    for (const w of t.writes) expect(w.startsWith('\x1b[H\x1b[2J')).toBe(true);
    expect(t.writes[0]).toContain('q to quit');
    expect(t.writes[1]).toContain('frame 2');
    expect(t.stdin.rawModes).toEqual([true, false]);
  });

  it('quits on Ctrl-C read as a key in raw mode', async () => {
    const t = fakeTerminal(true);
    const done = runLiveView('top', async () => 'rows', { intervalMs: 60_000, ...t.options });
    await new Promise((r) => setTimeout(r, 20));
    t.stdin.write('\u0003');
    await done;
    expect(t.writes).toHaveLength(1);
    expect(t.stdin.rawModes).toEqual([true, false]);
  });

  it('prints each refresh after the last when stdout is not a terminal, and stops at --count', async () => {
    const t = fakeTerminal(false);
    let n = 0;
    await runLiveView('apiary hosts top', async () => `rows ${++n}`, {
      intervalMs: 5,
      count: 3,
      ...t.options,
    });
    expect(t.writes).toHaveLength(3);
    expect(t.writes.join('')).not.toContain('\x1b[');
    expect(t.writes.map((w) => w.split('\n')[1])).toEqual(['rows 1', 'rows 2', 'rows 3']);
    expect(t.writes[0]).toMatch(/^apiary hosts top {2}\d\d:\d\d:\d\d {2}\(every 0.005s\)\n/);
    expect(t.stdin.rawModes).toEqual([]);
  });

  it('throws a failing first refresh, and shows a later failure in place of the table', async () => {
    const t = fakeTerminal(false);
    await expect(
      runLiveView('top', async () => Promise.reject(new Error('unauthenticated')), {
        intervalMs: 5,
        count: 2,
        ...t.options,
      }),
    ).rejects.toThrow('unauthenticated');
    let n = 0;
    await runLiveView(
      'top',
      async () => {
        if (++n === 2) throw new Error('controller went away');
        return 'rows';
      },
      { intervalMs: 5, count: 3, ...t.options },
    );
    expect(t.writes.map((w) => w.split('\n')[1])).toEqual([
      'rows',
      'refresh failed: controller went away',
      'rows',
    ]);
  });
});
