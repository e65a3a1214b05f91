import { describe, expect, it } from 'vitest';
import { parseNicenum, parseZpoolStatus, vdevType } from '../../src/host/zpool-status.js';

// Layout of print_status_config / print_spares / print_l2cache in zpool_main.c.
const TWO_POOLS = `  pool: tank
 state: DEGRADED
status: One or more devices could not be opened.  Sufficient replicas exist for
	the pool to continue functioning in a degraded state.
action: Attach the missing device and online it using 'zpool online'.
   see: http://illumos.org/msg/ZFS-8000-2Q
  scan: scrub repaired 0 in 0 days 00:10:12 with 0 errors on Sun Mar  1 00:10:13 2020
config:

	NAME        STATE     READ WRITE CKSUM
	tank        DEGRADED     0     0     0
	  mirror-0  ONLINE       0     0     0
	    c1t0d0  ONLINE       0     0     0
	    c1t1d0  ONLINE       0     0     0
	  raidz2-1  DEGRADED     0     0     0
	    c2t0d0  ONLINE       0     0     0
	    c2t1d0  UNAVAIL      0     0     0  cannot open
	    c2t2d0  ONLINE       0     0  1.2K
	    c2t3d0  ONLINE       0     0     0
	logs
	  c3t0d0    ONLINE       0     0     0
	cache
	  c4t0d0    ONLINE       0     0     0
	spares
	  c5t0d0    AVAIL

errors: No known data errors

  pool: rpool
 state: ONLINE
  scan: none requested
config:

	NAME        STATE     READ WRITE CKSUM
	rpool       ONLINE       0     0     0
	  c0t0d0    ONLINE       0     0     0

errors: No known data errors
`;

describe('parseZpoolStatus', () => {
  const [tank, rpool] = parseZpoolStatus(TWO_POOLS);

  it('reads each pool block with its state and errors line', () => {
    expect(tank).toMatchObject({ name: 'tank', state: 'DEGRADED', errors: 'No known data errors' });
    expect(rpool).toMatchObject({ name: 'rpool', state: 'ONLINE' });
  });

  it('nests disks under their group by indentation, not by column position', () => {
    expect(tank?.vdevs.map((v) => [v.name, v.type, v.children.map((c) => c.name)])).toEqual([
      ['mirror-0', 'mirror', ['c1t0d0', 'c1t1d0']],
      ['raidz2-1', 'raidz2', ['c2t0d0', 'c2t1d0', 'c2t2d0', 'c2t3d0']],
    ]);
    expect(tank?.vdevs[1]?.children[1]).toMatchObject({ state: 'UNAVAIL', type: 'disk' });
    expect(tank?.vdevs[1]?.children[2]?.cksum).toBe(1229);
  });

  it('puts log, cache and spare devices in their own sections', () => {
    expect(tank?.logs.map((v) => v.name)).toEqual(['c3t0d0']);
    expect(tank?.cache.map((v) => v.name)).toEqual(['c4t0d0']);
    expect(tank?.spares).toEqual([
      { name: 'c5t0d0', type: 'disk', state: 'AVAIL', read: 0, write: 0, cksum: 0, children: [] },
    ]);
  });

  it('reads a single-disk pool as one top-level disk', () => {
    expect(rpool?.vdevs).toEqual([
      { name: 'c0t0d0', type: 'disk', state: 'ONLINE', read: 0, write: 0, cksum: 0, children: [] },
    ]);
  });

  it('ignores the tab-indented continuation lines of status messages', () => {
    expect(tank?.vdevs.some((v) => v.name === 'the')).toBe(false);
  });
});

describe('vdevType and parseNicenum', () => {
  it('names groups by their type and leaves by what they are', () => {
    expect(vdevType('raidz-0')).toBe('raidz1');
    expect(vdevType('raidz3-2')).toBe('raidz3');
    expect(vdevType('draid2:4d:8c:1s-0')).toBe('draid2');
    expect(vdevType('/var/tmp/file0')).toBe('file');
    expect(vdevType('/dev/dsk/c1t0d0s0')).toBe('disk');
  });

  it('reads zfs_nicenum counters', () => {
    expect(parseNicenum('0')).toBe(0);
    expect(parseNicenum('17')).toBe(17);
    expect(parseNicenum('2M')).toBe(2 * 1024 * 1024);
  });
});
