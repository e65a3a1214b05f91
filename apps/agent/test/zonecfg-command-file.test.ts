import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostExec } from '../src/host/exec.js';
import { applyZoneConfig, removeZoneConfigFiles } from '../src/host/zonecfg.js';
import { tempDir } from './helpers/temp.js';

/*
 * The zonecfg command file lives in the agent's private tmp dir only while zonecfg reads it. An
 * agent killed in between leaves it behind; the next apply to that zone (the resumed step) and
 * the zonecfg undo remove it, and never the file of another zone, even one whose name starts
 * with this one's.
 */

/** An exec that records what `zonecfg -f FILE` would have read. */
function recordingExec() {
  const read: string[] = [];
  const exec = {
    async run(_command: string, args: string[]) {
      const file = args[args.indexOf('-f') + 1] as string;
      read.push(readFileSync(file, 'utf8'));
      return { argv: args, exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
    },
  } as unknown as HostExec;
  return { exec, read };
}

function leftovers(dir: string) {
  mkdirSync(dir, { recursive: true });
  const files = {
    ours: 'zonecfg-vm-1-0123456789ab',
    oursToo: 'zonecfg-vm-1-ba9876543210',
    longerZone: 'zonecfg-vm-1-b-0123456789ab',
    otherZone: 'zonecfg-vm-2-0123456789ab',
    notACommandFile: 'zonecfg-vm-1-notes',
  };
  for (const name of Object.values(files)) writeFileSync(join(dir, name), 'create -b\n');
  return files;
}

describe('zonecfg command files', () => {
  it("apply removes the zone's files an earlier, killed apply left, and its own", async () => {
    const dir = join(tempDir('zonecfg'), 'tmp');
    const files = leftovers(dir);
    const { exec, read } = recordingExec();
    await applyZoneConfig(exec, 'vm-1', 'create -b\nset zonepath=/zones/vm-1\n', dir);
    expect(read).toEqual(['create -b\nset zonepath=/zones/vm-1\n']);
    expect(readdirSync(dir).sort()).toEqual(
      [files.longerZone, files.otherZone, files.notACommandFile].sort(),
    );
  });

  it("remove takes only the zone's own files, and accepts a missing dir", async () => {
    const dir = join(tempDir('zonecfg'), 'tmp');
    await removeZoneConfigFiles(dir, 'vm-1');
    expect(existsSync(dir)).toBe(false);
    const files = leftovers(dir);
    await removeZoneConfigFiles(dir, 'vm-1');
    expect(readdirSync(dir).sort()).toEqual(
      [files.longerZone, files.otherZone, files.notACommandFile].sort(),
    );
  });
});
