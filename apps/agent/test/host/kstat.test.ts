import { describe, expect, it } from 'vitest';
import { counterValue, hrtimeValue, kstatArgs, parseKstatParsable } from '../../src/host/kstat.js';

// `kstat -p` as illumos prints it (kstat.c: module:instance:name:statistic, a tab, the value;
// crtime/snaptime as %.9f seconds).
const OUTPUT = [
  'cpu:0:sys:cpu_nsec_idle\t10547225000',
  'cpu:0:sys:crtime\t4.812305117',
  'cpu:0:sys:snaptime\t10.555000000',
  'zfs:0:tank:ssd:nread\t18446744073709551615',
  'zfs:0:tank:ssd:snaptime\t10.5',
  'link:0:e1000g0:zonename\tglobal',
  'cpu_info:0:cpu_info0:brand\tIntel(r) Xeon(r) CPU\twith a tab',
  '',
].join('\n');

describe('kstat -p', () => {
  it('groups statistics by module:instance:name, a name with a colon included', () => {
    const set = parseKstatParsable(OUTPUT);
    expect([...set.keys()]).toEqual([
      'cpu:0:sys',
      'zfs:0:tank:ssd',
      'link:0:e1000g0',
      'cpu_info:0:cpu_info0',
    ]);
    const pool = set.get('zfs:0:tank:ssd');
    expect(pool).toMatchObject({ module: 'zfs', instance: 0, name: 'tank:ssd' });
    // 64-bit counters stay exact past 2^53.
    expect(counterValue(pool, 'nread')).toBe(18446744073709551615n);
    expect(set.get('link:0:e1000g0')?.stats.get('zonename')).toBe('global');
    expect(set.get('cpu_info:0:cpu_info0')?.stats.get('brand')).toBe(
      'Intel(r) Xeon(r) CPU\twith a tab',
    );
  });

  it('reads hrtimes as nanoseconds', () => {
    const set = parseKstatParsable(OUTPUT);
    expect(hrtimeValue(set.get('cpu:0:sys'), 'crtime')).toBe(4_812_305_117n);
    expect(hrtimeValue(set.get('zfs:0:tank:ssd'), 'snaptime')).toBe(10_500_000_000n);
    expect(hrtimeValue(set.get('cpu:0:sys'), 'cpu_nsec_idle')).toBeNull();
  });

  it('passes selectors as operands after -p and refuses one with spaces', () => {
    expect(kstatArgs(['cpu::sys:/^cpu_nsec_/', 'zfs:0:arcstats:size'])).toEqual([
      '-p',
      'cpu::sys:/^cpu_nsec_/',
      'zfs:0:arcstats:size',
    ]);
    expect(() => kstatArgs(['cpu:0 ; reboot'])).toThrow(TypeError);
  });
});
