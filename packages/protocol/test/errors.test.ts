import { describe, expect, it } from 'vitest';
import {
  ApiError,
  ERROR_HTTP_STATUS,
  ErrorCode,
  errorCodeForStatus,
  isCompatibleApiVersion,
} from '../src/index.js';

describe('error codes', () => {
  it('keeps 401 and 403 distinct', () => {
    expect(ERROR_HTTP_STATUS.unauthenticated).toBe(401);
    expect(ERROR_HTTP_STATUS.forbidden).toBe(403);
  });

  it('maps every code to an HTTP status', () => {
    for (const code of ErrorCode.options) expect(ERROR_HTTP_STATUS[code]).toBeGreaterThan(399);
  });

  it('marks only transient failures retryable by default', () => {
    expect(new ApiError('unavailable', 'x').retryable).toBe(true);
    expect(new ApiError('timeout', 'x').retryable).toBe(true);
    expect(new ApiError('validation', 'x').retryable).toBe(false);
    expect(new ApiError('internal', 'x').retryable).toBe(false);
    expect(new ApiError('conflict', 'x', { retryable: true }).retryable).toBe(true);
  });

  it('round-trips through the wire body', () => {
    const error = new ApiError('not_found', 'env my-env does not exist', { details: { id: 1 } });
    const body = error.toBody('req_123');
    expect(body).toEqual({
      msg: 'env my-env does not exist',
      code: 'not_found',
      requestId: 'req_123',
      details: { id: 1 },
    });
    const back = ApiError.fromBody(body);
    expect(back.status).toBe(404);
    expect(back.requestId).toBe('req_123');
  });

  it('guesses a code from a bare status', () => {
    expect(errorCodeForStatus(404)).toBe('not_found');
    expect(errorCodeForStatus(599)).toBe('internal');
    expect(errorCodeForStatus(418)).toBe('validation');
  });
});

describe('isCompatibleApiVersion', () => {
  it('accepts the same major version only', () => {
    expect(isCompatibleApiVersion('1.7', '1.0')).toBe(true);
    expect(isCompatibleApiVersion('2.0', '1.0')).toBe(false);
    expect(isCompatibleApiVersion('banana', '1.0')).toBe(false);
  });
});
