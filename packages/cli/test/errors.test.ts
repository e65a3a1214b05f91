import { PassThrough } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { reportError, UsageError } from '../src/lib/errors.js';
import { InvalidInput } from '../src/lib/flag-issues.js';

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

  it('lists validation issues field by field, each once, in plain words', () => {
    const error = new ApiError('validation', 'invalid request: vms.0.cpu: at most 64', {
      requestId: 'req_1',
      details: [
        {
          path: 'body.vms.0.cpu',
          code: 'too_big',
          origin: 'number',
          maximum: 64,
          message: 'Too big: expected number to be <=64',
        },
        { path: 'body.id', code: 'invalid_format', own_message: true, message: 'must be x' },
      ],
      omittedIssues: 2,
    });
    const { code, text } = render(error);
    expect(code).toBe(1);
    expect(text).toBe(
      [
        'error: invalid request (request req_1)',
        '  body.vms.0.cpu: at most 64',
        '  body.id: must be x',
        '  (and 2 more)',
        '',
      ].join('\n'),
    );
  });

  it('says input the rules refuse per flag, one line each, and exits 1', () => {
    const error = new InvalidInput(['--lifetime 400d: at most 30d', '--count 0: at least 1']);
    expect(render(error)).toEqual({
      code: 1,
      text: 'error: --lifetime 400d: at most 30d\nerror: --count 0: at least 1\n',
    });
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

  it('says what to do about a quota or a full controller disk', () => {
    const quota = render(
      new ApiError('quota_exceeded', "the organization's image quota is 10 bytes"),
    );
    expect(quota.text).toMatch(/hint: see 'apiary images usage'/);
    const disk = render(
      new ApiError('insufficient_storage', 'the controller is low on disk space'),
    );
    expect(disk.text).toMatch(/hint: the controller's disk is nearly full/);
  });
});
