import { describe, expect, it } from 'vitest';
import { hostLabel } from '../src/lib/host-names.js';

const names = new Map([['host_abc', 'web-1']]);

describe('hostLabel', () => {
  it('names a host by its hostname, with the id only when wide', () => {
    expect(hostLabel({ wide: false, names }, 'host_abc')).toBe('web-1');
    expect(hostLabel({ wide: true, names }, 'host_abc')).toBe('web-1 (host_abc)');
  });

  it('falls back to the id for a host it cannot name, and "-" for none', () => {
    expect(hostLabel({ wide: false, names }, 'host_gone')).toBe('host_gone');
    expect(hostLabel({ wide: false, names }, null)).toBe('-');
  });
});
