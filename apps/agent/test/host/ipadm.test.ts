import { describe, expect, it } from 'vitest';
import { parseShowAddr } from '../../src/host/ipadm.js';

describe('parseShowAddr', () => {
  it('parses addresses and un-escapes IPv6 colons', () => {
    const out = [
      'lo0/v4:static:ok:127.0.0.1/8',
      'igb0/v4:static:ok:192.168.1.10/24',
      'natgw0/v4:static:ok:10.10.0.1/24',
      'lo0/v6:static:ok:\\:\\:1/128',
    ].join('\n');
    const rows = parseShowAddr(out);
    expect(rows[2]).toEqual({
      addrobj: 'natgw0/v4',
      type: 'static',
      state: 'ok',
      addr: '10.10.0.1/24',
    });
    expect(rows[3]?.addr).toBe('::1/128');
  });

  it('keeps a ? address of an unleased DHCP interface', () => {
    expect(parseShowAddr('e0/v4:dhcp:down:?\n')[0]?.addr).toBe('?');
  });
});
