import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApiError,
  bodyIssues,
  CreateEnvReq,
  formatDurationExact,
  formatMiB,
  ImageRef,
  issueMessage,
  type ValidationIssue,
  validationIssues,
} from '../src/index.js';

/** The issue zod reports for `value`, as a client receives it. */
function issue(schema: z.ZodType, value: unknown): ValidationIssue {
  const error = schema.safeParse(value).error as z.ZodError;
  return validationIssues(error).issues[0] as ValidationIssue;
}

describe('issueMessage', () => {
  it('states range limits in the unit of the field', () => {
    const lifetime = issue(CreateEnvReq.shape.lifetime, 400 * 86_400);
    expect(issueMessage(lifetime, formatDurationExact)).toBe('at most 30d');
    expect(issueMessage(issue(CreateEnvReq.shape.lifetime, 5), formatDurationExact)).toBe(
      'at least 1m',
    );
    const mem = issue(z.int().min(256), 100);
    expect(issueMessage(mem, formatMiB)).toBe('at least 256 MiB');
    expect(issueMessage(issue(z.int().max(1_048_576), 2_000_000), formatMiB)).toBe('at most 1 TiB');
    expect(issueMessage(issue(z.int().max(64), 99))).toBe('at most 64');
  });

  it('says what a length counts, and when a bound is exclusive or exact', () => {
    expect(issueMessage(issue(z.string().max(64), 'x'.repeat(65)))).toBe('at most 64 characters');
    expect(issueMessage(issue(z.string().min(1), ''))).toBe('must not be empty');
    expect(issueMessage(issue(z.array(z.int()).min(1), []))).toBe('at least 1 entry');
    expect(issueMessage(issue(z.array(z.int()).max(2), [1, 2, 3]))).toBe('at most 2 entries');
    expect(issueMessage(issue(z.number().lt(5), 5))).toBe('less than 5');
    expect(issueMessage(issue(z.number().gt(0), 0))).toBe('more than 0');
    expect(issueMessage(issue(z.string().length(3), 'ab'))).toBe('exactly 3 characters');
    expect(issueMessage(issue(z.array(z.int()).min(1), []), String)).toBe('at least 1');
  });

  it('names the wanted type, the allowed values and the unknown keys', () => {
    expect(issueMessage(issue(z.int(), 1.5))).toBe('must be a whole number');
    expect(issueMessage(issue(z.number(), 'x'))).toBe('must be a number');
    expect(issueMessage(issue(z.boolean(), 'yes'))).toBe('must be true or false');
    expect(issueMessage(issue(z.enum(['rollback', 'keep']), 'retry'))).toBe(
      'must be one of rollback, keep',
    );
    expect(issueMessage(issue(z.literal(3), 4))).toBe('must be 3');
    expect(issueMessage(issue(z.strictObject({}), { a: 1, b: 2 }))).toBe('unknown fields a, b');
    expect(issueMessage(issue(z.number().multipleOf(512), 100), formatMiB)).toBe(
      'must be a multiple of 512 MiB',
    );
  });

  it("keeps the schema's own words, whatever the kind of issue", () => {
    const required = issue(z.string().min(1, 'is required (--data-dir DIR)'), '');
    expect(required.own_message).toBe(true);
    expect(issueMessage(required)).toBe('is required (--data-dir DIR)');
    const typed = issue(z.number({ error: 'give a number of seconds' }), 'x');
    expect(issueMessage(typed)).toBe('give a number of seconds');
    // zod's generic words are rephrased, whatever type was received instead.
    for (const wrong of ['x', null, [], {}, true, undefined]) {
      const generic = issue(z.number(), wrong);
      expect(generic.own_message).toBeUndefined();
      expect(issueMessage(generic)).toBe('must be a number');
    }
  });

  it("keeps the schema's own words for formats and refinements", () => {
    expect(issueMessage(issue(CreateEnvReq.shape.id, 'Bad Name'))).toMatch(
      /^must be 1-40 lowercase letters/,
    );
    expect(
      issueMessage(
        issue(
          z.string().refine(() => false, 'nope'),
          'x',
        ),
      ),
    ).toBe('nope');
  });

  it('offers the alternatives of a union in their own words', () => {
    expect(issueMessage(issue(ImageRef, 'Not An Image!'))).toMatch(
      /^must be sha256:<64 lowercase hex> or must be 1-63 lowercase letters/,
    );
  });

  it('falls back to the message of an issue written by hand', () => {
    expect(issueMessage({ path: 'body.disk', message: 'smaller than the image' })).toBe(
      'smaller than the image',
    );
    expect(issueMessage({ path: 'x', code: 'too_big', message: 'too big' })).toBe('too big');
  });
});

describe('bodyIssues', () => {
  it("returns a refused body's issues with paths relative to the body", () => {
    const error = new ApiError('validation', 'invalid request', {
      details: [
        { path: 'body.vms.0.cpu', code: 'too_big', maximum: 64, message: 'x' },
        { path: 'body', code: 'invalid_type', expected: 'object', message: 'y' },
        { path: 'query.limit', code: 'too_big', maximum: 1000, message: 'z' },
      ],
    });
    expect(bodyIssues(error).map((i) => i.path)).toEqual(['vms.0.cpu', '']);
  });

  it('is empty for other errors and for details that are not issues', () => {
    expect(bodyIssues(new ApiError('conflict', 'busy'))).toEqual([]);
    expect(bodyIssues(new ApiError('validation', 'bad', { details: { why: 1 } }))).toEqual([]);
    expect(bodyIssues(new Error('offline'))).toEqual([]);
  });
});
