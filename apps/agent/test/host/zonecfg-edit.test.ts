import { describe, expect, it } from 'vitest';
import { renderZoneEdit } from '../../src/host/zonecfg-edit.js';
import { parseZoneExport } from '../../src/host/zonecfg-format.js';

/*
 * Zone edits send only what differs from `zonecfg export`, so the same edit twice (a step
 * repeated after a crash) runs nothing the second time.
 */

const EXPORT = `create -b
set zonepath=/zones/vm1
set brand=bhyve
add fs
set dir=/var/apiary/images/abc
set special=/var/apiary/images/abc
set type=lofs
add options [ro,nodevices]
end
add device
set match=/dev/zvol/rdsk/rpool/apiary/vms/vm1/data0
end
add attr
set name=vcpus
set type=string
set value=2
end
add attr
set name=disk0
set type=string
set value=rpool/apiary/vms/vm1/data0
end
`;

describe('renderZoneEdit', () => {
  const config = parseZoneExport(EXPORT);

  it('changes a value by removing and adding the attr, and leaves equal ones alone', () => {
    expect(
      renderZoneEdit(config, { attrs: { vcpus: '4', disk0: 'rpool/apiary/vms/vm1/data0' } }),
    ).toEqual([
      'remove attr name=vcpus',
      'add attr',
      'set name=vcpus',
      'set type=string',
      'set value=4',
      'end',
    ]);
  });

  it('removes what is asked absent and skips what is already absent', () => {
    expect(
      renderZoneEdit(config, {
        attrs: { disk0: null, disk1: null },
        devices: {
          '/dev/zvol/rdsk/rpool/apiary/vms/vm1/data0': false,
          '/dev/zvol/rdsk/rpool/apiary/vms/vm1/data1': false,
        },
        fs: { '/var/apiary/images/abc': null, '/var/apiary/images/def': null },
      }),
    ).toEqual([
      'remove attr name=disk0',
      'remove device match=/dev/zvol/rdsk/rpool/apiary/vms/vm1/data0',
      'remove fs dir=/var/apiary/images/abc',
    ]);
  });

  it('keeps an fs whose options are the same in another order, adds a missing one', () => {
    expect(
      renderZoneEdit(config, {
        fs: {
          '/var/apiary/images/abc': {
            special: '/var/apiary/images/abc',
            options: ['nodevices', 'ro'],
          },
          '/var/apiary/images/def': { special: '/var/apiary/images/def', options: ['ro'] },
        },
      }),
    ).toEqual([
      'add fs',
      'set dir=/var/apiary/images/def',
      'set special=/var/apiary/images/def',
      'set type=lofs',
      'add options ro',
      'end',
    ]);
  });

  it('refuses values zonecfg cannot read back', () => {
    expect(() => renderZoneEdit(config, { attrs: { vcpus: 'a"b' } })).toThrow(/quote/);
  });
});
