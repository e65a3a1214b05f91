import { PassThrough } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { reportError, UsageError } from '../src/lib/errors.js';

function render(error: unknown): { code: number; text: string } {
  const stream = new PassThrough();
  const code = reportError(error, 'http://ctl:9200', stream);
  return { code, text: stream.read()?.toString() ?? '' };
}

describe('reportError', () => {
  it('exits 2 for usage errors', () => {
    expect(render(new UsageError('--mode is wait or stop'))).toEqual({
      code: 2,
      text: 'error: --mode is wait or stop\n',
    });
  });

  it('lists validation issues field by field', () => {
    const error = new ApiError('validation', 'invalid request', {
      requestId: 'req_1',
      details: [{ path: 'vms.0.cpu', message: 'Too small' }],
    });
    const { code, text } = render(error);
    expect(code).toBe(1);
    expect(text).toContain('(request req_1)');
    expect(text).toContain('  vms.0.cpu: Too small');
  });

  it('explains a placement refusal per host', () => {
    const error = new ApiError('insufficient_capacity', 'no host can take the environment', {
      details: {
        vm_index: 0,
        hosts: [{ host_id: 'h', hostname: 'host-1', reasons: ['needs 8 cpu, 2 free'] }],
      },
    });
    expect(render(error).text).toContain('  host-1: needs 8 cpu, 2 free');
  });

  it('tells an unauthenticated user how to log in', () => {
    expect(render(new ApiError('unauthenticated', 'missing credentials')).text).toContain(
      "hint: log in with 'apiary login'",
    );
  });
});
