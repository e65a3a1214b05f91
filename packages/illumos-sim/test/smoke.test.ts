import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initHost, runCommand } from '../src/index.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('a fresh simulated host', () => {
  it('lists only the global zone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sim-'));
    roots.push(root);
    initHost(root);
    const r = await runCommand({ argv: ['zoneadm', 'list', '-cp'], root });
    expect(r).toEqual({ stdout: '0:global:running:/::ipkg:shared:0\n', stderr: '', exitCode: 0 });
  });
});
