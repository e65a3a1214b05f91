import { describe, expect, it } from 'vitest';
import { CreateRegistryReq, FetchUrl } from '../src/index.js';

describe('FetchUrl', () => {
  it('refuses text that is no URL with an issue, not an exception', () => {
    const parsed = FetchUrl.safeParse('boxes.example.org');
    expect(parsed.success).toBe(false);
    const req = CreateRegistryReq.safeParse({ name: 'acme', url: 'boxes.example.org' });
    expect(req.success).toBe(false);
    expect(req.error?.issues[0]?.path).toEqual(['url']);
  });

  it('still refuses credentials in the URL and takes a plain one', () => {
    expect(FetchUrl.safeParse('https://u:p@boxes.example.org/').success).toBe(false);
    expect(FetchUrl.safeParse('https://boxes.example.org/').success).toBe(true);
  });
});
