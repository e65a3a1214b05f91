import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet } from '@apiary/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The fleet launcher against the real programs, when they cannot start: the failure names the
 * program and shows what it said, at once rather than at a timeout, and the start leaves
 * nothing behind.
 */

// A TMPDIR of this file's own (os.tmpdir() reads it on each call; this worker runs only this
// file): what a fleet leaves in it is this file's, whatever other files run meanwhile.
const runTmp = tmpdir();
let ownTmp: string;
beforeAll(() => {
  ownTmp = mkdtempSync(join(runTmp, 'fleet-start-'));
  process.env.TMPDIR = ownTmp;
});
afterAll(() => {
  process.env.TMPDIR = runTmp;
  rmSync(ownTmp, { recursive: true, force: true });
});

const leftovers = () => readdirSync(ownTmp);

describe('Fleet.start with a controller that cannot start', () => {
  it("fails at once with the controller's own error and removes the directory it made", async () => {
    const before = Date.now();
    await expect(Fleet.start({ agents: 1, controllerArgs: ['--no-such-flag'] })).rejects.toThrow(
      /controller exited \(2\)[\s\S]*Unknown option '--no-such-flag'/,
    );
    expect(Date.now() - before).toBeLessThan(15_000);
    expect(leftovers()).toEqual([]);
  });
});

describe('Fleet.start with an agent that cannot start', () => {
  it("stops the controller it started, fails with the agent's error and removes its directory", async () => {
    await expect(Fleet.start({ agents: 2, agentArgs: ['--no-such-flag'] })).rejects.toThrow(
      /agent-\d exited \(2\)[\s\S]*--no-such-flag/,
    );
    expect(leftovers()).toEqual([]);
  });
});
