import { describe, expect, it } from 'vitest';
import { intakeRatio, intakeText } from '../../src/views/images/intake-text.js';

describe('image intake progress in the Images dialogs', () => {
  it('says the bytes of the total while downloading, and fills the bar by them', () => {
    const p = { phase: 'download', bytes_received: 1536 * 1024, bytes_total: 3 * 1024 * 1024 };
    expect(intakeText(p as never)).toBe('downloading · 1.5 MiB of 3 MiB');
    expect(intakeRatio(p as never)).toEqual({ value: 1536 * 1024, max: 3 * 1024 * 1024 });
  });

  it('says the bytes so far without a total, with no fill', () => {
    const p = { phase: 'download', bytes_received: 2048, bytes_total: null } as const;
    expect(intakeText(p)).toBe('downloading · 2 KiB');
    expect(intakeRatio(p)).toBeNull();
  });

  it('names the phase after the download', () => {
    const p = { phase: 'convert', bytes_received: 10, bytes_total: 10 } as const;
    expect(intakeText(p)).toBe('converting to raw (qemu-img)');
    expect(intakeRatio(p)).toBeNull();
  });
});
