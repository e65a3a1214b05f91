import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepStaging } from '../../src/services/images/intake/staging.js';
import { tempDir } from '../helpers/temp.js';

describe('sweepStaging', () => {
  it("removes a crash's old staging directories and keeps young ones (another controller's)", async () => {
    const dataDir = tempDir('staging');
    const old = join(dataDir, 'staging', 'aaaa');
    const young = join(dataDir, 'staging', 'bbbb');
    mkdirSync(old, { recursive: true });
    mkdirSync(young, { recursive: true });
    const now = Date.now();
    const twoDaysAgo = (now - 2 * 24 * 3600_000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    const config = { dataDir } as Parameters<typeof sweepStaging>[0]['config'];
    expect(await sweepStaging({ config }, 24 * 3600_000, now)).toBe(1);
    expect([existsSync(old), existsSync(young)]).toEqual([false, true]);
    // No staging directory yet (a fresh data dir): nothing to do, no error.
    expect(await sweepStaging({ config: { ...config, dataDir: tempDir('empty') } }, 1)).toBe(0);
  });
});
