import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { usageErrorText } from '../../src/lib/usage-error.js';

describe('usage error text', () => {
  it("says the host is not answering on the controller's 503 and 502, with its reason", () => {
    const down = new ApiError('unavailable', 'host omni-a does not answer: connect ECONNREFUSED');
    expect(down.status).toBe(503);
    expect(usageErrorText(down)).toBe(
      'Host not answering: host omni-a does not answer: connect ECONNREFUSED',
    );
    const bad = new ApiError('upstream_failed', 'host omni-a could not give its usage (internal)');
    expect(usageErrorText(bad)).toMatch(/^Host not answering: /);
  });

  it('does not blame the host for other failures', () => {
    expect(usageErrorText(new ApiError('not_found', 'no such host'))).toBe(
      'Could not load usage: no such host',
    );
  });
});
