import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ApiError,
  CreateEnvReq,
  ErrorBody,
  ImageRef,
  MAX_LISTED_ISSUES,
  summarizeIssues,
  ValidationIssue,
  validationIssues,
} from '../src/index.js';

function issuesOf(schema: z.ZodType, value: unknown, limit?: number) {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a refusal');
  return validationIssues(parsed.error, { limit });
}

describe('validationIssues', () => {
  it('keeps the structured fields of range, type, enum and key issues', () => {
    const { issues, omitted } = issuesOf(CreateEnvReq, {
      id: 'web',
      ssh_keys: [],
      vms: [{ image: 'alpine', cpu: 99, mem: 'lots' }],
      lifetime: 99_999_999,
      on_failure: 'retry',
      colour: 'blue',
    });
    expect(omitted).toBe(0);
    expect(issues).toEqual([
      expect.objectContaining({ path: 'ssh_keys', code: 'too_small', origin: 'array', minimum: 1 }),
      expect.objectContaining({ path: 'vms.0.cpu', code: 'too_big', maximum: 64, inclusive: true }),
      expect.objectContaining({ path: 'vms.0.mem', code: 'invalid_type', expected: 'number' }),
      expect.objectContaining({ path: 'lifetime', code: 'too_big', maximum: 2_592_000 }),
      expect.objectContaining({
        path: 'on_failure',
        code: 'invalid_value',
        values: ['rollback', 'keep'],
      }),
      expect.objectContaining({ path: '', code: 'unrecognized_keys', keys: ['colour'] }),
    ]);
    // Every issue is a valid wire ValidationIssue and keeps zod's message.
    for (const issue of issues) expect(ValidationIssue.parse(issue)).toEqual(issue);
    expect(issues[1]?.message).toBe('Too big: expected number to be <=64');
  });

  it('keeps the pattern and the schema message of a format issue', () => {
    const [issue] = issuesOf(CreateEnvReq.shape.id, 'Bad Name').issues;
    expect(issue).toMatchObject({ code: 'invalid_format', format: 'regex' });
    expect(issue?.pattern).toContain('a-z0-9');
    expect(issue?.message).toMatch(/^must be 1-40 lowercase/);
  });

  it('lists what each alternative of a failed union wanted', () => {
    const [issue] = issuesOf(ImageRef, 'Not An Image!').issues;
    expect(issue?.alternatives).toEqual([
      'must be sha256:<64 lowercase hex>',
      expect.stringMatching(/^must be 1-63 lowercase letters/),
    ]);
  });

  it('leaves out the alternatives of a union that says what it wants itself', () => {
    const own = z.union([z.literal('a'), z.literal('b')], { error: 'must be a or b' });
    const [issue] = issuesOf(own, 'c').issues;
    expect(issue).toMatchObject({ code: 'invalid_union', message: 'must be a or b' });
    expect(issue?.alternatives).toBeUndefined();
  });

  it('prefixes paths with where the input came from', () => {
    const error = z.object({ n: z.int() }).safeParse({ n: 'x' }).error as z.ZodError;
    expect(validationIssues(error).issues[0]?.path).toBe('n');
    expect(validationIssues(error, { at: 'body' }).issues[0]?.path).toBe('body.n');
    const root = z.int().safeParse('x').error as z.ZodError;
    expect(validationIssues(root, { at: 'query' }).issues[0]?.path).toBe('query');
  });

  it(`lists at most ${MAX_LISTED_ISSUES} issues and counts the rest`, () => {
    const many = issuesOf(
      z.array(z.int()),
      Array.from({ length: 25 }, () => 'x'),
    );
    expect(many.issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(many.omitted).toBe(5);
    const few = issuesOf(z.array(z.int()), ['x', 'y'], 1);
    expect(few).toMatchObject({ issues: [{ path: '0' }], omitted: 1 });
  });
});

describe('summarizeIssues', () => {
  it('says each issue in plain words and counts what it leaves out', () => {
    const { issues, omitted } = issuesOf(
      z.array(z.int().max(9)),
      Array.from({ length: 22 }, () => 10),
    );
    expect(summarizeIssues(issues, { omitted })).toBe(
      'invalid request: 0: at most 9; 1: at most 9; 2: at most 9; 3: at most 9; 4: at most 9 (and 17 more)',
    );
    expect(summarizeIssues(issues.slice(0, 1), { prefix: 'invalid config' })).toBe(
      'invalid config: 0: at most 9',
    );
  });
});

describe('ErrorBody.omitted_issues', () => {
  it('carries the count of unlisted issues through an ApiError and back', () => {
    const error = new ApiError('validation', 'invalid request', { details: [], omittedIssues: 3 });
    const body = ErrorBody.parse(error.toBody('req_1'));
    expect(body.omitted_issues).toBe(3);
    expect(ApiError.fromBody(body).omittedIssues).toBe(3);
    expect(new ApiError('validation', 'x').toBody('req_2')).not.toHaveProperty('omitted_issues');
  });

  it('must be a whole number of at least zero', () => {
    const body = { msg: 'x', code: 'validation', requestId: 'r' };
    expect(ErrorBody.safeParse({ ...body, omitted_issues: -1 }).success).toBe(false);
    expect(ErrorBody.safeParse({ ...body, omitted_issues: 1.5 }).success).toBe(false);
  });
});
