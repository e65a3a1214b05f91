import type { Image } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { pickImageByName } from '../src/lib/image-ref.js';

const image = (digit: string, org_id: string | null, created_at: string, name = 'alpine'): Image =>
  ({
    digest: `sha256:${digit.repeat(64)}`,
    name,
    format: 'zfs-send',
    size: 1,
    org_id,
    hosts: [],
    created_at,
  }) as unknown as Image;

describe('images show NAME', () => {
  const publicNew = image('a', null, '2026-03-01T00:00:00Z');
  const ownOld = image('b', 'org_1', '2026-01-01T00:00:00Z');
  const ownNew = image('c', 'org_1', '2026-02-01T00:00:00Z');
  const other = image('d', null, '2026-04-01T00:00:00Z', 'debian');

  it("picks the newest of the name, the organization's before public ones", () => {
    expect(pickImageByName([publicNew, ownOld, ownNew, other], 'alpine', 'org_1')).toBe(ownNew);
  });

  it('picks the newest public one when the organization has none of that name', () => {
    const olderPublic = image('e', null, '2025-01-01T00:00:00Z');
    expect(pickImageByName([olderPublic, publicNew, other], 'alpine', 'org_1')).toBe(publicNew);
    expect(pickImageByName([ownOld, publicNew], 'alpine', null)).toBe(publicNew);
    expect(pickImageByName([other], 'alpine', 'org_1')).toBeUndefined();
  });
});
