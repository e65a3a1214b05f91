import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { errorText } from '../../src/state/toasts.js';

describe('errorText', () => {
  it('lists per host why an environment could not be placed', () => {
    const error = new ApiError(
      'insufficient_capacity',
      'no host can take VM 0 of this environment (2 hosts considered; see details)',
      {
        details: {
          vm_index: 0,
          hosts: [
            {
              host_id: 'h1',
              hostname: 'omni-a',
              reasons: ['not enough cpu: needs 64 vCPUs, 6 free'],
            },
            { host_id: 'h2', hostname: 'omni-b', reasons: ['draining', 'down'] },
          ],
        },
      },
    );
    expect(errorText(error)).toBe(
      [
        'no host can take VM 0 of this environment',
        'omni-a: not enough cpu: needs 64 vCPUs, 6 free',
        'omni-b: draining; down',
      ].join('\n'),
    );
  });

  it('keeps the message of other errors, and of a refusal without readable details', () => {
    expect(errorText(new ApiError('conflict', 'environment web is busy'))).toBe(
      'environment web is busy',
    );
    const odd = new ApiError('insufficient_capacity', 'no room', { details: ['?'] });
    expect(errorText(odd)).toBe('no room');
    expect(errorText(new Error('offline'))).toBe('offline');
  });
});
