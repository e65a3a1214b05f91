import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newHost, ok, run } from './helpers.js';

/** zpool status/list (OmniOS zpool_main.c) and swap (swap.c, vm_swap.c). */
function twoPools() {
  return newHost({
    pools: [
      { name: 'rpool', size: '1T' },
      { name: 'tank', size: '2T', layout: 'mirror:c2t0d0,c2t1d0' },
    ],
  });
}

const TANK = `  pool: tank
 state: ONLINE
  scan: none requested
config:

\tNAME        STATE     READ WRITE CKSUM
\ttank        ONLINE       0     0     0
\t  mirror-0  ONLINE       0     0     0
\t    c2t0d0  ONLINE       0     0     0
\t    c2t1d0  ONLINE       0     0     0

errors: No known data errors
`;

describe('zpool status', () => {
  it('prints the vdev tree of a mirror and of a default single-disk pool', async () => {
    const root = twoPools();
    expect(await ok(root, ['zpool', 'status', 'tank'])).toBe(TANK);
    expect(await ok(root, ['zpool', 'status'])).toBe(
      `  pool: rpool\n state: ONLINE\n  scan: none requested\nconfig:\n\n\tNAME        STATE     READ WRITE CKSUM\n\trpool       ONLINE       0     0     0\n\t  c1t0d0    ONLINE       0     0     0\n\nerrors: No known data errors\n\n${TANK}`,
    );
  });

  it('widens the name column for -P paths and raidz groups', async () => {
    const root = newHost({
      pools: [{ name: 'data', size: '4T', layout: 'raidz2:c3t0d0,c3t1d0,c3t2d0' }],
    });
    expect(await ok(root, ['zpool', 'status', '-P', 'data'])).toBe(
      `  pool: data\n state: ONLINE\n  scan: none requested\nconfig:\n\n\tNAME                   STATE     READ WRITE CKSUM\n\tdata                   ONLINE       0     0     0\n\t  raidz2-0             ONLINE       0     0     0\n\t    /dev/dsk/c3t0d0s0  ONLINE       0     0     0\n\t    /dev/dsk/c3t1d0s0  ONLINE       0     0     0\n\t    /dev/dsk/c3t2d0s0  ONLINE       0     0     0\n\nerrors: No known data errors\n`,
    );
  });

  it('says healthy with -x and fails for unknown pools', async () => {
    const root = twoPools();
    expect(await ok(root, ['zpool', 'status', '-x'])).toBe('all pools are healthy\n');
    expect(await ok(root, ['zpool', 'status', '-x', 'tank'])).toBe("pool 'tank' is healthy\n");
    expect(await run(root, ['zpool', 'status', 'nope'])).toEqual({
      stdout: '',
      stderr: "cannot open 'nope': no such pool\n",
      exitCode: 1,
    });
    expect(await run(root, ['zpool', 'status', '-Z'])).toEqual({
      stdout: '',
      stderr:
        "invalid option 'Z'\nusage:\n\tstatus [-igLpPsvxD] [-T d|u] [pool] ... [interval [count]]\n",
      exitCode: 2,
    });
  });
});

describe('zpool list', () => {
  it('right-aligns numeric columns in fixed widths and names ALLOC for allocated', async () => {
    const root = twoPools();
    expect(await ok(root, ['zpool', 'list', '-o', 'name,size,allocated,health,altroot'])).toMatch(
      /^NAME {4}SIZE {2}ALLOC {4}HEALTH {2}ALTROOT\nrpool {5}1T {2}\s*\d+K {4}ONLINE {2}-\ntank {6}2T {2}\s*\d+K {4}ONLINE {2}-\n$/,
    );
  });

  it('prints exact bytes with -Hp, the real column set, and refuses unknown properties', async () => {
    const root = twoPools();
    const out = await ok(root, [
      'zpool',
      'list',
      '-Hp',
      '-o',
      'name,size,allocated,free,fragmentation,health',
      'tank',
    ]);
    const [name, size, alloc, free, frag, health] = out.trim().split('\t');
    expect([name, size, frag, health]).toEqual(['tank', '2199023255552', '0', 'ONLINE']);
    expect(Number(alloc) + Number(free)).toBe(2199023255552);
    expect(await run(root, ['zpool', 'list', '-o', 'name,foo'])).toEqual({
      stdout: '',
      stderr:
        "bad property list: invalid property 'foo'\nusage:\n\tlist [-gHLpPv] [-o property[,...]] [-T d|u] [pool] ... [interval [count]]\n",
      exitCode: 2,
    });
  });
});

describe('swap', () => {
  async function hostWithSwapVolume() {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/swap']);
    return root;
  }

  it('adds a zvol, lists it with the kernel skipping the first page, and deletes it', async () => {
    const root = await hostWithSwapVolume();
    expect(await run(root, ['swap', '-l'])).toEqual({
      stdout: '',
      stderr: 'No swap devices configured\n',
      exitCode: 1,
    });
    expect(await run(root, ['swap', '-a', '/dev/zvol/dsk/rpool/swap'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 0,
    });
    expect(await ok(root, ['swap', '-l'])).toBe(
      'swapfile             dev    swaplo   blocks     free\n/dev/zvol/dsk/rpool/swap 90,1         8  2097144  2097144\n',
    );
    expect(await ok(root, ['swap', '-lk'])).toBe(
      'swapfile             dev    swaplo   blocks     free\n/dev/zvol/dsk/rpool/swap 90,1        4K 1048572K 1048572K\n',
    );
    await ok(root, ['swap', '-d', '/dev/zvol/dsk/rpool/swap']);
    expect((await run(root, ['swap', '-l'])).exitCode).toBe(1);
  });

  it.each([
    [
      ['-a', '/dev/zvol/dsk/rpool/swap'],
      '/dev/zvol/dsk/rpool/swap: Overlapping swap files are not allowed\n',
      2,
    ],
    [
      ['-a', '/dev/zvol/rdsk/rpool/swap'],
      '"/dev/zvol/rdsk/rpool/swap" is not valid for swapping.\nIt must be a block device or a regular file with the\n"save user text on execution" bit set.\n',
      22,
    ],
    [
      ['-a', '/dev/zvol/dsk/rpool/nope'],
      '/dev/zvol/dsk/rpool/nope: No such file or directory\n',
      2,
    ],
    [['-a', 'dev/zvol/dsk/rpool/swap'], 'swap: path must be absolute\n', 1],
    [['-a', '/dev/zvol/dsk/rpool/swap', 'x'], 'error in [low block]\n', 1],
    [['-d', '/dev/zvol/dsk/rpool/other'], '/dev/zvol/dsk/rpool/other: Invalid argument\n', 2],
    [
      ['-d', '/dev/zvol/dsk/rpool/nope'],
      '/dev/zvol/dsk/rpool/nope: No such file or directory\n',
      2,
    ],
    [['-z'], 'swap: illegal option -- z\n', 1],
  ])('swap %j fails with %j', async (args, stderr, exitCode) => {
    const root = await hostWithSwapVolume();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/other']);
    await ok(root, ['swap', '-a', '/dev/zvol/dsk/rpool/swap']);
    const r = await run(root, ['swap', ...args]);
    expect(r.exitCode).toBe(exitCode);
    expect(r.stderr.startsWith(stderr)).toBe(true);
    expect(r.stdout).toBe('');
  });

  it('swaps on a regular file only with the sticky bit', async () => {
    const root = newHost();
    const file = join(root, 'root', 'swapfile');
    writeFileSync(file, Buffer.alloc(1024 * 1024, 1));
    expect((await run(root, ['swap', '-a', '/swapfile'])).exitCode).toBe(22);
    chmodSync(file, 0o1600);
    await ok(root, ['swap', '-a', '/swapfile']);
    expect(await ok(root, ['swap', '-l'])).toBe(
      // "%-20s  -  " then " %8lu" three times
      `swapfile             dev    swaplo   blocks     free\n${'/swapfile'.padEnd(20)}  -  ${[8, 2040, 2040].map((n) => ` ${String(n).padStart(8)}`).join('')}\n`,
    );
  });

  it('prints the usage for no options', async () => {
    const r = await run(newHost(), ['swap']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Usage:\tswap -l\n\tsub option :\n\t\t-h : displays size in human readable format\n\t\t-k : displays size in KB\n\tswap -s\n\tsub option :\n\t\t-h : displays size in human readable format rather than KB\n\tswap -d <file name> [low block]\n\tswap -a <file name> [low block] [nbr of blocks]\n',
    );
  });
});

describe('a zvol in use as swap', () => {
  it('cannot be destroyed until it is removed from swap', async () => {
    const root = newHost();
    await ok(root, ['zfs', 'create', '-V', '1G', 'rpool/swap1']);
    expect((await run(root, ['swap', '-a', '/dev/zvol/dsk/rpool/swap1'])).exitCode).toBe(0);
    expect(await run(root, ['zfs', 'destroy', 'rpool/swap1'])).toMatchObject({
      exitCode: 1,
      stderr: "cannot destroy 'rpool/swap1': dataset is busy\n",
    });
    expect((await run(root, ['swap', '-d', '/dev/zvol/dsk/rpool/swap1'])).exitCode).toBe(0);
    expect((await run(root, ['zfs', 'destroy', 'rpool/swap1'])).exitCode).toBe(0);
  });
});
