import { describe, expect, it } from 'vitest';
import { formatRows, type OfmtField, openFields } from '../src/net/ofmt.js';

/** libofmt printing rules (usr/src/lib/libofmt/common/ofmt.c). */
const FIELDS: OfmtField[] = [
  { name: 'link', width: 6 },
  { name: 'over', width: 10 },
  { name: 'mtu', width: 5 },
];

describe('libofmt', () => {
  it('prints nothing, not even a header, for no rows', () => {
    expect(formatRows(FIELDS, [], false)).toBe('');
  });

  it('pushes later fields right after an overflowing value and takes the space back', () => {
    expect(formatRows(FIELDS, [{ link: 'verylonglink0', over: 'x', mtu: '1500' }], false)).toBe(
      'LINK  OVER      MTU\nverylonglink0 x 1500\n',
    );
  });

  it('reprints the header every 23 rows', () => {
    const rows = Array.from({ length: 47 }, (_, i) => ({ link: `l${i}`, over: '', mtu: '1' }));
    const lines = formatRows(FIELDS, rows, false).split('\n');
    const headers = lines.flatMap((l, i) => (l.startsWith('LINK') ? [i] : []));
    expect(headers).toEqual([0, 24, 48]);
  });

  it('folds comma lists to the field width on extra lines with wrap, the break after a comma', () => {
    expect(
      formatRows(FIELDS, [{ link: 'aggr0', over: 'e1000g1,e1000g2', mtu: '1500' }], false, true),
    ).toBe('LINK  OVER      MTU\naggr0 e1000g1,  1500\n      e1000g2   \n');
  });

  it('escapes : and \\ only when more than one field is printed', () => {
    const row = { link: 'a:b', over: 'c\\d', mtu: '' };
    expect(formatRows(FIELDS, [row], true)).toBe('a\\:b:c\\\\d:\n');
    expect(formatRows([FIELDS[0]!], [row], true)).toBe('a:b\n');
  });

  it.each([
    [undefined, true, 'dladm: output fields must be specified in parsable mode'],
    ['ALL', true, "dladm: output field `all' invalid in parsable mode"],
    ['foo,bar', false, 'dladm: no valid output fields'],
    ['link,foo,bar', true, "dladm: unknown output fields: `foo' `bar'"],
  ])('refuses field string %j (parsable %j) with %j', (spec, parsable, error) => {
    expect(openFields(FIELDS, spec, parsable, 'dladm')).toEqual({ error });
  });

  it('only warns about unknown fields in human mode', () => {
    expect(openFields(FIELDS, 'link,foo', false, 'dladm')).toEqual({
      fields: [FIELDS[0]],
      warnings: ["dladm: warning: ignoring unknown output field: `foo'"],
    });
  });
});
