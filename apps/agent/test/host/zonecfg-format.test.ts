import { describe, expect, it } from 'vitest';
import {
  parseZoneExport,
  quoteValue,
  renderBhyveZone,
  zoneAttrs,
} from '../../src/host/zonecfg-format.js';

const EXPORT = `create -b
set zonepath=/zones/vm1
set brand=bhyve
set autoboot=false
set ip-type=exclusive
add fs
set dir=/iso/debian.iso
set special=/iso/debian.iso
set type=lofs
add options ro
add options nodevices
end
add net
set allowed-address=10.0.0.112/24
set physical=vm1net0
end
add device
set match=/dev/zvol/rdsk/rpool/zones/vm1/disk0
end
add attr
set name=bootdisk
set type=string
set value=rpool/zones/vm1/disk0
end
add attr
set name=note
set type=string
set value="two words"
end
`;

describe('parseZoneExport', () => {
  it('reads global properties and resources from the reference export', () => {
    const config = parseZoneExport(EXPORT);
    expect(config.props).toEqual({
      zonepath: '/zones/vm1',
      brand: 'bhyve',
      autoboot: 'false',
      'ip-type': 'exclusive',
    });
    expect(config.resources.map((r) => r.type)).toEqual(['fs', 'net', 'device', 'attr', 'attr']);
    expect(config.resources[0]?.options).toEqual(['ro', 'nodevices']);
    expect(config.resources[1]?.props).toEqual({
      'allowed-address': '10.0.0.112/24',
      physical: 'vm1net0',
    });
  });

  it('maps attrs by name and removes the quotes export adds around spaces', () => {
    expect(zoneAttrs(parseZoneExport(EXPORT))).toEqual({
      bootdisk: 'rpool/zones/vm1/disk0',
      note: 'two words',
    });
  });
});

describe('renderBhyveZone', () => {
  it('renders a file that parses back to the same configuration', () => {
    const text = renderBhyveZone({
      zonepath: '/zones/vm1',
      autoboot: false,
      nets: [{ physical: 'apv1n0', allowedAddress: '10.213.0.2/16', defrouter: '10.213.0.1' }],
      devices: ['/dev/zvol/rdsk/rpool/apiary/vms/vm1/disk0'],
      attrs: [
        ['bootdisk', 'rpool/apiary/vms/vm1/disk0'],
        ['apiary-ports', '22:40000,80:40001'],
      ],
    });
    expect(text.startsWith('create -b\nset zonepath=/zones/vm1\nset brand=bhyve\n')).toBe(true);
    expect(text).toContain('set value="22:40000,80:40001"');
    expect(text.endsWith('verify\ncommit\n')).toBe(true);
    const parsed = parseZoneExport(text.replace('verify\ncommit\n', ''));
    expect(parsed.props['ip-type']).toBe('exclusive');
    expect(zoneAttrs(parsed)['apiary-ports']).toBe('22:40000,80:40001');
    expect(parsed.resources.find((r) => r.type === 'net')?.props.defrouter).toBe('10.213.0.1');
  });
});

describe('quoteValue', () => {
  it('leaves plain values bare', () => {
    expect(quoteValue('rpool/zones/vm1')).toBe('rpool/zones/vm1');
  });
  it('quotes values with whitespace or zonecfg punctuation', () => {
    expect(quoteValue('a b')).toBe('"a b"');
    expect(quoteValue('a;b')).toBe('"a;b"');
    expect(quoteValue('x=y')).toBe('"x=y"');
  });
  it('refuses values zonecfg cannot represent', () => {
    expect(() => quoteValue('a"b')).toThrow();
    expect(() => quoteValue('a\nb')).toThrow();
  });
});
