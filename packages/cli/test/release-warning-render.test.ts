import type { Drain } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { renderDrain } from '../src/commands/render-host.js';
import { renderMigration } from '../src/commands/render-migration.js';
import { renderOperation } from '../src/commands/render-vm-change.js';
import { NO_HOST_NAMES } from '../src/lib/host-names.js';
import { progressLine } from '../src/lib/wait-operation.js';
import { fakeOperation, fakeVm } from './fake-resources.js';

/*
 * After a migration switched a VM to its new host, the controller retries the old host's
 * release; the operation and the drain carry a warning meanwhile (issue 15). Every view of
 * them prints it.
 */
const WARNING =
  'the VM runs on its new host; its old host has not removed its copy yet (2 failed attempts, retried): zfs destroy failed';

const operation = fakeOperation({
  kind: 'migrate',
  state: 'running',
  step: 'release',
  warning: WARNING,
});

/** Already switched to its new host. */
const vm = fakeVm({ host_id: 'host_2', host_addr: '10.0.0.6' });

const drain: Drain = {
  host_id: 'host_1',
  mode: 'migrate',
  state: 'draining',
  deadline: null,
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: null,
  vms_total: 2,
  vms_remaining: 1,
  vms_failed: 0,
  vms_moved: 1,
  vms_moving: 1,
  vms_releasing: 1,
  max_parallel: 1,
  complete: false,
  vms: [
    { id: 'web-1', env_id: 'dev', state: 'running', error: null, move: 'moving', warning: WARNING },
    { id: 'web-2', env_id: 'dev', state: 'running', error: null, move: 'moved', warning: null },
  ],
};

describe('a pending release of the old host', () => {
  it('is a line of `apiary operations show`', () => {
    expect(renderOperation(operation)).toMatch(/^warning\s+the VM runs on its new host; .*zfs/m);
    expect(renderOperation({ ...operation, warning: null })).toMatch(/^warning\s+-$/m);
  });

  it('is on the progress line of `apiary vms migrate` while the operation runs', () => {
    expect(progressLine(operation)).toBe(`move web-1: running (release) (warning: ${WARNING})`);
    expect(progressLine({ ...operation, state: 'succeeded' })).toBe(
      'move web-1: succeeded (release)',
    );
  });

  it('ends the result of `apiary vms migrate` (e.g. with --no-wait or a timeout)', () => {
    const text = renderMigration({ vm, operation }, NO_HOST_NAMES);
    expect(text.split('\n').at(-1)).toBe(`warning: ${WARNING}`);
    expect(
      renderMigration({ vm, operation: { ...operation, warning: null } }, NO_HOST_NAMES),
    ).not.toMatch(/warning/);
  });

  it('is counted and listed by `apiary hosts drain-status`', () => {
    const text = renderDrain(drain, NO_HOST_NAMES);
    expect(text).toMatch(/moves\s+1 moved, 1 moving, 1 releasing \(old copy not removed yet\)/);
    const lines = text.split('\n');
    expect(lines.find((l) => l.includes('web-1'))).toContain(WARNING);
    expect(lines.find((l) => l.includes('web-2'))).not.toContain('warning');
    expect(lines.find((l) => /\bVM\b/.test(l))).toMatch(/\bERROR\b.*\bWARNING\b/);
    const none = renderDrain({ ...drain, vms_releasing: 0 }, NO_HOST_NAMES);
    expect(none).not.toMatch(/releasing/);
  });
});
