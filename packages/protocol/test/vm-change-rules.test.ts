import { describe, expect, it } from 'vitest';
import { ApiError, rollbackRefusal, vmOperationSettled } from '../src/index.js';

describe('rollbackRefusal', () => {
  it('reads a refusal to destroy later snapshots, without the query-flag advice', () => {
    const error = new ApiError(
      'conflict',
      'rolling back to before destroys the later snapshots after1, after2; repeat with ?force=true to confirm',
    );
    expect(rollbackRefusal(error)).toEqual({
      needs: 'force',
      reason: 'rolling back to before destroys the later snapshots after1, after2',
    });
  });

  it('reads a refusal to roll back a running VM', () => {
    const error = new ApiError(
      'conflict',
      'VM web-1 is running: stop it first, or roll back with ?stop=true',
    );
    expect(rollbackRefusal(error)).toEqual({
      needs: 'stop',
      reason: 'VM web-1 is running: stop it first',
    });
  });

  it('is null for refusals no flag can overcome, and for other errors', () => {
    const cloned = new ApiError(
      'conflict',
      'rolling back to a would destroy snapshots VMs are cloned from: c1 (of b)',
    );
    expect(rollbackRefusal(cloned)).toBeNull();
    expect(rollbackRefusal(new ApiError('not_found', 'no snapshot x; ?force=true'))).toBeNull();
    expect(rollbackRefusal(new Error('?force=true'))).toBeNull();
  });
});

describe('vmOperationSettled', () => {
  it('is true only once an operation succeeded or failed', () => {
    expect(vmOperationSettled({ state: 'pending' })).toBe(false);
    expect(vmOperationSettled({ state: 'running' })).toBe(false);
    expect(vmOperationSettled({ state: 'succeeded' })).toBe(true);
    expect(vmOperationSettled({ state: 'failed' })).toBe(true);
  });
});
