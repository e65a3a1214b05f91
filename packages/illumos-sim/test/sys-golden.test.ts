import { describe, expect, it } from 'vitest';
import { newHost, ok, run } from './helpers.js';

/** Host resource commands (illumos-net.md section 6). */
describe('host resources', () => {
  it('reads kstat -p lines as module:instance:name:statistic<TAB>value', async () => {
    const root = newHost({ cpus: 2, ram: '16G' });
    expect(await ok(root, ['kstat', '-p', 'unix:0:system_misc:ncpus'])).toBe(
      'unix:0:system_misc:ncpus\t2\n',
    );
    expect(await ok(root, ['kstat', '-p', 'unix:0:system_pages:physmem'])).toMatch(
      /^unix:0:system_pages:physmem\t\d+\n$/,
    );
  });

  it('exits 1 with empty output when kstat matches nothing', async () => {
    const root = newHost();
    expect(await run(root, ['kstat', '-p', 'nope:0:nope:nope'])).toEqual({
      stdout: '',
      stderr: '',
      exitCode: 1,
    });
  });

  it('derives prtconf -m and pagesize from physmem', async () => {
    const root = newHost({ ram: '16G' });
    const pages = Number(
      (await ok(root, ['kstat', '-p', 'unix:0:system_pages:physmem'])).split('\t')[1],
    );
    expect(await ok(root, ['pagesize'])).toBe('4096\n');
    expect(await ok(root, ['prtconf', '-m'])).toBe(`${Math.ceil((pages * 4096) / 2 ** 20)}\n`);
    expect(await ok(root, ['prtconf'])).toContain(
      `Memory size: ${Math.ceil((pages * 4096) / 2 ** 20)} Megabytes\n`,
    );
  });

  it('prints psrinfo lines in the %d\\t%-8s  since MM/DD/YYYY HH:MM:SS layout', async () => {
    const root = newHost({ cpus: 2 });
    expect(await ok(root, ['psrinfo'])).toMatch(
      /^0\ton-line {3}since \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d\n1\ton-line {3}since \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d\n$/,
    );
    expect(await ok(root, ['psrinfo', '-p'])).toBe('1\n');
    expect(await ok(root, ['psrinfo', '-t'])).toBe('2\n');
    expect(await run(root, ['psrinfo', '7'])).toEqual({
      stdout: '',
      stderr: 'psrinfo: processor 7: Invalid argument\n',
      exitCode: 2,
    });
  });

  it('runs pfexec argv in-process, by bare name or absolute illumos path', async () => {
    const root = newHost();
    expect(await ok(root, ['pfexec', 'zoneadm', 'list', '-cp'])).toBe(
      '0:global:running:/::ipkg:shared:0\n',
    );
    expect(await ok(root, ['/usr/bin/pfexec', '/usr/sbin/zoneadm', 'list', '-cp'])).toBe(
      '0:global:running:/::ipkg:shared:0\n',
    );
    expect(await ok(root, ['/usr/sbin/zfs', 'list', '-Hpo', 'name', 'rpool'])).toBe('rpool\n');
  });
});
