import { describe, expect, it } from 'vitest';
import { parseParsable } from '../../src/host/dladm.js';

describe('parseParsable', () => {
  it('splits show-link fields, keeping empty values', () => {
    const out =
      'e1000g0:phys:1500:up:\nstub0:etherstub:9000:unknown:\nvm1net0:vnic:1500:up:e1000g0\n';
    const rows = parseParsable(out, ['link', 'class', 'mtu', 'state', 'over']);
    expect(rows).toEqual([
      { link: 'e1000g0', class: 'phys', mtu: '1500', state: 'up', over: '' },
      { link: 'stub0', class: 'etherstub', mtu: '9000', state: 'unknown', over: '' },
      { link: 'vm1net0', class: 'vnic', mtu: '1500', state: 'up', over: 'e1000g0' },
    ]);
  });

  it('un-escapes \\: inside MAC addresses when several fields are printed', () => {
    const out =
      'vm1net0:e1000g0:1000:2\\:8\\:20\\:d2\\:1f\\:63:random:0\nvm2net0:stub0:0:2\\:8\\:20\\:5a\\:e\\:1:fixed:12\n';
    const rows = parseParsable(out, ['link', 'over', 'speed', 'macaddress', 'macaddrtype', 'vid']);
    expect(rows[0]?.macaddress).toBe('2:8:20:d2:1f:63');
    expect(rows[1]).toMatchObject({ over: 'stub0', macaddress: '2:8:20:5a:e:1', vid: '12' });
  });

  it('does not un-escape a single field, which libofmt prints raw', () => {
    expect(parseParsable('2:8:20:d2:1f:63\n', ['macaddress'])).toEqual([
      { macaddress: '2:8:20:d2:1f:63' },
    ]);
  });

  it('keeps a macaddrtype with spaces and a comma', () => {
    const rows = parseParsable('v0:e0:0:2\\:8\\:20\\:1\\:2\\:3:factory, slot 1:0\n', [
      'link',
      'over',
      'speed',
      'macaddress',
      'macaddrtype',
      'vid',
    ]);
    expect(rows[0]?.macaddrtype).toBe('factory, slot 1');
  });

  it('rejects a line with the wrong number of fields', () => {
    expect(() => parseParsable('a:b\n', ['link', 'class', 'mtu'])).toThrow(/3 fields/);
  });
});
