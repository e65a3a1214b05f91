import { describe, expect, it } from 'vitest';
import { parseZoneList } from '../../src/host/zoneadm.js';

describe('parseZoneList', () => {
  it('parses the 8-field lines of current illumos', () => {
    const out = [
      '0:global:running:/::ipkg:shared:0',
      '42:vm1:running:/zones/vm1:c624d04f-d0d9-e1e6-822e-acebc78ec9ff:bhyve:excl:128',
      '-:vm2:installed:/zones/vm2:311a4f36-779f-4d14-bc9d-c85cb9817327:bhyve:excl:216',
      '-:vm3:configured:/zones/vm3::bhyve:excl:',
      '',
    ].join('\n');
    const zones = parseZoneList(out);
    expect(zones).toHaveLength(4);
    expect(zones[0]).toMatchObject({
      id: 0,
      name: 'global',
      zonepath: '/',
      uuid: '',
      ipType: 'shared',
    });
    expect(zones[1]).toEqual({
      id: 42,
      name: 'vm1',
      state: 'running',
      zonepath: '/zones/vm1',
      uuid: 'c624d04f-d0d9-e1e6-822e-acebc78ec9ff',
      brand: 'bhyve',
      ipType: 'excl',
    });
    expect(zones[2]).toMatchObject({ id: null, state: 'installed' });
    expect(zones[3]).toMatchObject({ id: null, state: 'configured', uuid: '' });
  });

  it('parses 7-field lines from older illumos', () => {
    const [zone] = parseZoneList('0:global:running:/::liveimg:shared\n');
    expect(zone).toMatchObject({ name: 'global', brand: 'liveimg', ipType: 'shared' });
  });

  it('ignores fields beyond the eighth', () => {
    const [zone] = parseZoneList('-:vm2:installed:/zones/vm2:u:bhyve:excl:216:extra:more\n');
    expect(zone).toMatchObject({ name: 'vm2', brand: 'bhyve' });
  });

  it('un-escapes colons inside the zonepath', () => {
    const [zone] = parseZoneList('-:odd:installed:/zones/a\\:b\\:c:uuid-1:bhyve:excl:\n');
    expect(zone?.zonepath).toBe('/zones/a:b:c');
    expect(zone?.uuid).toBe('uuid-1');
  });

  it('rejects lines with fewer than 7 fields', () => {
    expect(() => parseZoneList('-:vm:installed:/zones/vm\n')).toThrow(/malformed/);
  });

  it('rejects unknown states', () => {
    expect(() => parseZoneList('-:vm:exploded:/z::bhyve:excl:\n')).toThrow(/unknown state/);
  });

  it('returns nothing for empty output', () => {
    expect(parseZoneList('')).toEqual([]);
  });
});
