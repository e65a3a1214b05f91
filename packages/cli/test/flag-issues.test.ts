import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { durationSource } from '../src/lib/duration-flag.js';
import { envFlagSource } from '../src/lib/env-request.js';
import { flagLabel, InvalidInput, withFlagIssues } from '../src/lib/flag-issues.js';

const refused = (omittedIssues = 0) =>
  new ApiError('validation', 'invalid request: body.seconds: at most 2592000', {
    details: [{ path: 'body.seconds', code: 'too_big', maximum: 2_592_000, message: 'x' }],
    omittedIssues,
  });

describe('withFlagIssues', () => {
  it("says a refused body's issues on the flags that set them", async () => {
    const source = durationSource('seconds', '--by', '400d');
    const error = await withFlagIssues(source, () => Promise.reject(refused(3))).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error.problems).toEqual(['--by 400d: at most 30d', '(and 3 more)']);
  });

  it('says a problem the controller found in every VM once', async () => {
    const flags = { id: 'dev', image: 'alpine-cloud', count: '2', cpu: '999' };
    const tooBig = { code: 'too_big', origin: 'number', maximum: 64, message: 'x' };
    const error = new ApiError('validation', 'invalid request', {
      details: [
        { ...tooBig, path: 'body.vms.0.cpu' },
        { ...tooBig, path: 'body.vms.1.cpu' },
      ],
    });
    const source = envFlagSource(flags, { id: 'dev', ssh_keys: [], vms: [] });
    const refusal = await withFlagIssues(source, () => Promise.reject(error)).catch((e) => e);
    expect(refusal.problems).toEqual(['--cpu 999: at most 64']);
  });

  it('lets every other error and every answer through unchanged', async () => {
    const source = durationSource('seconds', '--by', '1d');
    const busy = new ApiError('conflict', 'busy');
    await expect(withFlagIssues(source, () => Promise.reject(busy))).rejects.toBe(busy);
    await expect(withFlagIssues(source, async () => 42)).resolves.toBe(42);
  });
});

describe('flagLabel', () => {
  it('quotes a typed value only when the shell would need it', () => {
    expect(flagLabel('--lifetime', '400d')).toBe('--lifetime 400d');
    expect(flagLabel('--ssh-key', '@~/.ssh/id.pub')).toBe('--ssh-key @~/.ssh/id.pub');
    expect(flagLabel('--id', 'Bad Name')).toBe("--id 'Bad Name'");
    expect(flagLabel('--id', '')).toBe("--id ''");
    expect(flagLabel('--count', undefined)).toBe('--count');
  });
});
