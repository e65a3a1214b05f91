import type { Drain } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { drainReleaseNote } from '../../src/views/fleet/drain-releases.js';
import { operationWarning } from '../../src/views/vms/operation-warning.js';

/*
 * After a migration switched a VM to its new host, the controller retries the old host's
 * release (issue 15): the VM's operations panel and the host's drain panel say so.
 */
const WARNING =
  'the VM runs on its new host; its old host has not removed its copy yet (1 failed attempt, retried): zfs destroy failed';

const vm = (id: string, warning: string | null): Drain['vms'][number] => ({
  id,
  env_id: 'dev',
  state: 'running',
  error: null,
  move: 'moving',
  warning,
});

describe('the drain panel', () => {
  it('counts the moved VMs whose old copy is still on the host, with each warning', () => {
    const note = drainReleaseNote({
      vms_releasing: 2,
      vms: [vm('web-1', WARNING), vm('web-2', null), vm('web-3', null)],
    });
    expect(note).toEqual({
      text: '2 moved VMs still have their old copy here (removal retried)',
      vms: [{ id: 'web-1', warning: WARNING }],
    });
    expect(drainReleaseNote({ vms_releasing: 1, vms: [vm('web-1', WARNING)] })?.text).toBe(
      '1 moved VM still has its old copy here (removal retried)',
    );
  });

  it('says nothing when no copy is pending, or for a drain that does not move VMs', () => {
    expect(drainReleaseNote({ vms_releasing: 0, vms: [vm('web-1', null)] })).toBeNull();
    expect(drainReleaseNote({ vms_releasing: null, vms: [] })).toBeNull();
    expect(drainReleaseNote({ vms: [] })).toBeNull();
  });
});

describe("the VM's operations panel", () => {
  it('shows the warning of a running operation only', () => {
    expect(operationWarning({ state: 'running', warning: WARNING })).toBe(WARNING);
    expect(operationWarning({ state: 'succeeded', warning: WARNING })).toBeNull();
    expect(operationWarning({ state: 'running', warning: null })).toBeNull();
    expect(operationWarning({ state: 'running' })).toBeNull();
  });
});
