import type { VmOperation } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { progressBar } from '../src/lib/progress-bar.js';
import { progressLine } from '../src/lib/wait-operation.js';
import { fakeOperation } from './fake-resources.js';

const MiB = 1024 * 1024;

function migration(progress: VmOperation['progress'], state: VmOperation['state'] = 'running') {
  return fakeOperation({ kind: 'migrate', state, step: 'copy', progress });
}

describe('a migration progress bar', () => {
  it('fills with the bytes sent of the total, in whole percents', () => {
    expect(progressBar({ bytes_sent: 0, bytes_total: 100 * MiB })).toMatch(
      /^\[-{20}\] 0% 0 B of 100(\.0)? MiB$/,
    );
    expect(progressBar({ bytes_sent: 25 * MiB, bytes_total: 100 * MiB })).toMatch(
      /^\[#{5}-{15}\] 25% 25(\.0)? MiB of 100(\.0)? MiB$/,
    );
    expect(progressBar({ bytes_sent: 100 * MiB, bytes_total: 100 * MiB })).toMatch(
      /^\[#{20}\] 100% /,
    );
    // An estimate smaller than what was sent (zfs send -nP is an estimate) stays at 100%.
    expect(progressBar({ bytes_sent: 120, bytes_total: 100 })).toMatch(/^\[#{20}\] 100% /);
  });

  it('shows on the progress line of a running migration only', () => {
    const half = { bytes_sent: 50 * MiB, bytes_total: 100 * MiB };
    expect(progressLine(migration(half))).toMatch(
      /^move web-1: running \(copy\) \[#{10}-{10}\] 50% /,
    );
    expect(progressLine(migration(half, 'succeeded'))).toBe('move web-1: succeeded (copy)');
    expect(progressLine(migration(null))).toBe('move web-1: running (copy)');
  });
});

function intake(progress: VmOperation['intake'], state: VmOperation['state'] = 'running') {
  return fakeOperation({
    id: 'saga_2',
    vm_id: null,
    kind: 'fetch_image',
    state,
    step: 'intake',
    intake: progress,
  });
}

describe('an image download progress line', () => {
  it('is the migration bar when the server said the total', () => {
    const p = { phase: 'download', bytes_received: 25 * MiB, bytes_total: 100 * MiB } as const;
    expect(progressLine(intake(p), 'debian-12')).toMatch(
      /^fetch image debian-12: running \[#{5}-{15}\] 25% 25(\.0)? MiB of 100(\.0)? MiB$/,
    );
  });

  it('counts the bytes when there is no total, then names the phase after the download', () => {
    const p = { phase: 'download', bytes_received: 3 * MiB, bytes_total: null } as const;
    expect(progressLine(intake(p), 'debian-12')).toMatch(
      /^fetch image debian-12: running 3(\.0)? MiB so far$/,
    );
    const converting = { phase: 'convert', bytes_received: 3 * MiB, bytes_total: null } as const;
    expect(progressLine(intake(converting), 'debian-12')).toBe(
      'fetch image debian-12: running convert',
    );
    expect(progressLine(intake(null, 'succeeded'), 'debian-12')).toBe(
      'fetch image debian-12: succeeded',
    );
  });
});
