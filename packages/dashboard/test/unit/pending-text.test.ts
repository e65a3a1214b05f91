import { describe, expect, it } from 'vitest';
import { pendingText } from '../../src/lib/pending-text.js';

describe('pendingText', () => {
  it('says what a running VM gets at its next start, in binary units', () => {
    expect(pendingText({ cpu: 4, mem: 8192 })).toBe('4 vCPU, 8 GiB memory');
    expect(pendingText({ disk: 61_440, disks: [{ n: 0, size: 2048 }] })).toBe(
      '60 GiB boot disk, 1 data disk',
    );
  });

  it('tells an ISO put in from one taken out', () => {
    expect(pendingText({ cdrom: `sha256:${'a'.repeat(64)}` })).toBe('an ISO in the CD-ROM');
    expect(pendingText({ cdrom: null })).toBe('no CD-ROM');
    expect(pendingText({ disks: [] })).toBe('0 data disks');
  });
});
