import { PassThrough } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { renderVm } from '../src/commands/render-env.js';
import {
  describeDisks,
  describePending,
  renderOperation,
  renderSnapshots,
} from '../src/commands/render-vm-change.js';
import { HintedError, reportError } from '../src/lib/errors.js';
import { NO_HOST_NAMES } from '../src/lib/host-names.js';
import { fakeOperation, fakeVm } from './fake-resources.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('apiary vms show', () => {
  it('shows data disks, the CD-ROM, pending changes and the running operation', () => {
    const text = renderVm(
      fakeVm({
        disks: [
          { n: 0, size: 20_480, used: 1536 * 1024 * 1024 },
          { n: 1, size: 512, used: null },
        ],
        cdrom: DIGEST,
        pending_changes: { cpu: 4, mem: 8192 },
        operation_id: 'saga_abc',
      }),
      NO_HOST_NAMES,
    );
    expect(text).toMatch(/data disks\s+disk0 20 GiB \(1\.5 GiB used\), disk1 512 MiB/);
    expect(text).toMatch(/cdrom\s+sha256:abababababab\.\.\./);
    expect(text).toMatch(/pending\s+cpu 4; memory 8 GiB \(at next start\)/);
    expect(text).toMatch(/operation\s+saga_abc/);
  });

  it('says "-" where a VM has no data disk, CD-ROM or pending change', () => {
    const text = renderVm(fakeVm({ disks: [], cdrom: null, pending_changes: null }), NO_HOST_NAMES);
    expect(text).toMatch(/data disks\s+-\n/);
    expect(text).toMatch(/cdrom\s+-\n/);
    expect(text).toMatch(/pending\s+-\n/);
  });
});

describe('change renderings', () => {
  it('describe pending disks and CD-ROM changes too', () => {
    expect(describePending({ disks: [{ n: 1, size: 20_480 }], cdrom: null })).toBe(
      'data disks disk1 20 GiB; CD-ROM none (at next start)',
    );
    expect(describePending(null)).toBeNull();
    expect(describeDisks(undefined)).toBe('-');
  });

  it('list snapshots with the machine each keeps and its clones', () => {
    const text = renderSnapshots([
      {
        name: 'before',
        vm_id: 'web-1',
        created_at: '2026-01-01T00:00:00.000Z',
        machine: { cpu: 2, mem: 1024, disk: 40_960, disks: [{ n: 1, size: 512 }], cdrom: null },
        used: 2048,
        clones: ['web-2'],
      },
    ]);
    expect(text).toMatch(/before .*│ 2 vCPU, 1 GiB, boot 40 GiB, \+1 disk │ 2 KiB +│ web-2/);
  });

  it('show an operation with its step, error and result', () => {
    const operation = fakeOperation({
      kind: 'clone',
      state: 'failed',
      step: 'agent',
      error: { code: 'host_command_failed', msg: 'zfs clone failed' },
      result: { vm_id: 'web-1-clone' },
      updated_at: '2026-01-01T00:00:01.000Z',
    });
    const text = renderOperation(operation);
    expect(text).toMatch(/step\s+agent/);
    expect(text).toMatch(/error\s+zfs clone failed \(host_command_failed\)/);
    expect(text).toMatch(/result\s+VM web-1-clone/);
  });
});

describe('a hinted error', () => {
  it('is reported as its error, then the command’s advice', () => {
    const stream = new PassThrough();
    const error = new ApiError('conflict', 'later snapshots b, c');
    const code = reportError(
      new HintedError(error, 'run again with --force'),
      'http://c:9200',
      stream,
    );
    expect(code).toBe(1);
    expect(stream.read().toString()).toBe(
      'error: later snapshots b, c\nhint: run again with --force\n',
    );
  });
});
