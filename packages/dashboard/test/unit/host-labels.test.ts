import type { Host } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { hostLabels } from '../../src/lib/host-labels.js';

const host = (id: string, hostname: string) => [id, { id, hostname } as Host] as const;

describe('hostLabels', () => {
  it('keeps unique hostnames and tells apart hosts that share one', () => {
    const labels = hostLabels(
      new Map([
        host('host_aaaaaa111111', 'vm'),
        host('host_bbbbbb222222', 'vm'),
        host('host_c', 'db-1'),
      ]),
    );
    expect(labels.get('host_aaaaaa111111')).toBe('vm · 111111');
    expect(labels.get('host_bbbbbb222222')).toBe('vm · 222222');
    expect(labels.get('host_c')).toBe('db-1');
  });
});
