import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', 'bin', 'apiary.js');

describe('apiary program', () => {
  it('prints its version and the API version', () => {
    const out = execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(out).toMatch(/^0\.1\.0 \(API 1\.0\)/);
  });
});
