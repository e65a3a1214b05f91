import { describe, expect, it } from 'vitest';
import { makeZone, newHost, ok, run } from './helpers.js';

/**
 * Golden tests: zoneadm output formats and messages against the literal samples of
 * illumos-cli.md section 1 (values such as uuids are taken from the host, the shape is not).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('zoneadm list -p', () => {
  it('prints the global zone as 0:global:running:/::ipkg:shared:0', async () => {
    const root = newHost();
    expect(await ok(root, ['zoneadm', 'list', '-cp'])).toBe('0:global:running:/::ipkg:shared:0\n');
  });

  it('prints 8 fields with - ids, excl, an empty uuid and debugid for a configured zone', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm3', 'create -t bhyve; set zonepath=/zones/vm3']);
    expect(await ok(root, ['zoneadm', 'list', '-cp'])).toBe(
      '0:global:running:/::ipkg:shared:0\n-:vm3:configured:/zones/vm3::bhyve:excl:\n',
    );
  });

  it('gives installed zones a uuid and a debugid, running zones an increasing zoneid', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    await makeZone(root, 'vm2');
    const lines = (await ok(root, ['zoneadm', 'list', '-cp'])).trim().split('\n');
    const running = lines[1]!.split(':');
    expect(running.slice(0, 4)).toEqual(['1', 'vm1', 'running', '/zones/vm1']);
    expect(running[4]).toMatch(UUID);
    expect(running.slice(5, 7)).toEqual(['bhyve', 'excl']);
    expect(running[7]).toMatch(/^\d+$/);
    const installed = lines[2]!.split(':');
    expect(installed.slice(0, 4)).toEqual(['-', 'vm2', 'installed', '/zones/vm2']);
    expect(installed[4]).toMatch(UUID);
    await ok(root, ['zoneadm', '-z', 'vm2', 'boot']);
    expect((await ok(root, ['zoneadm', '-z', 'vm2', 'list', '-p'])).split(':')[0]).toBe('2');
  });

  it('escapes : in zonepaths as \\: and nowhere else', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'odd', 'create -t bhyve; set zonepath=/zones/a:b']);
    expect(await ok(root, ['zoneadm', '-z', 'odd', 'list', '-p'])).toBe(
      '-:odd:configured:/zones/a\\:b::bhyve:excl:\n',
    );
  });

  it('shows running zones only by default, installed with -i, all with -c, no global with -n', async () => {
    const root = newHost();
    await makeZone(root, 'up', true);
    await makeZone(root, 'down');
    await ok(root, ['zonecfg', '-z', 'cfg', 'create -t bhyve; set zonepath=/zones/cfg']);
    const names = async (...flags: string[]) =>
      (await ok(root, ['zoneadm', 'list', ...flags]))
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1] ?? l);
    expect(await names('-p')).toEqual(['global', 'up']);
    expect(await names('-ip')).toEqual(['global', 'up', 'down']);
    expect(await names('-cp')).toEqual(['global', 'up', 'down', 'cfg']);
    expect(await names('-cpn')).toEqual(['up', 'down', 'cfg']);
    expect(await names('-cip')).toEqual(['global', 'up', 'down', 'cfg']);
    expect(await ok(root, ['zoneadm', 'list'])).toBe('global\nup\n');
  });

  it('lists kernel-known zones first, then index order', async () => {
    const root = newHost();
    await makeZone(root, 'a');
    await makeZone(root, 'b', true);
    const names = (await ok(root, ['zoneadm', 'list', '-cpn']))
      .trim()
      .split('\n')
      .map((l) => l.split(':')[1]);
    expect(names).toEqual(['b', 'a']);
  });

  it('rejects -i and -c with -z (usage, exit 2)', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    expect((await run(root, ['zoneadm', '-z', 'vm1', 'list', '-cp'])).exitCode).toBe(2);
  });

  it('refuses -p with -v as list_func() does: one zerror() line, exit 1, no usage', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    expect(await run(root, ['zoneadm', 'list', '-pv'])).toEqual({
      stdout: '',
      stderr: 'zoneadm: list -p and -v are mutually exclusive.\n',
      exitCode: 1,
    });
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'list', '-p', '-v'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': list -p and -v are mutually exclusive.\n",
      exitCode: 1,
    });
  });

  it('leaves incomplete zones out of -i (their state is below installed), shows them with -c', async () => {
    const root = newHost();
    await makeZone(root, 'inc');
    await ok(root, ['zoneadm', '-z', 'inc', 'mark', 'incomplete']);
    expect(await ok(root, ['zoneadm', 'list', '-ipn'])).toBe('');
    expect(await ok(root, ['zoneadm', 'list', '-cpn'])).toMatch(/^-:inc:incomplete:/);
  });
});

describe('zoneadm list -v', () => {
  it("prints zone_print()'s columns: %4s %-16s %-10s %-30s %-8s %-6s", async () => {
    const root = newHost();
    await makeZone(root, 'up', true);
    await ok(root, ['zonecfg', '-z', 'cfg', 'create -t bhyve; set zonepath=/zones/cfg']);
    expect(await ok(root, ['zoneadm', 'list', '-cv'])).toBe(
      [
        '  ID NAME             STATUS     PATH                           BRAND    IP    ',
        '   0 global           running    /                              ipkg     shared',
        '   1 up               running    /zones/up                      bhyve    excl  ',
        '   - cfg              configured /zones/cfg                     bhyve    excl  ',
        '',
      ].join('\n'),
    );
  });
});

describe('zoneadm messages and exit codes', () => {
  it('names an unknown zone as libzonecfg does, exit 1', async () => {
    const root = newHost();
    expect(await run(root, ['zoneadm', '-z', 'vm9', 'boot'])).toEqual({
      stdout: '',
      stderr: 'zoneadm: vm9: No such zone configured\n',
      exitCode: 1,
    });
  });

  it('says zone is already booted and exits 0 when booting a running zone', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': zone is already booted\n",
      exitCode: 0,
    });
  });

  it('says zone is already halted and exits 0 for halt of an installed zone; shutdown says not running', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'halt'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': zone is already halted\n",
      exitCode: 0,
    });
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'shutdown'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': not running\n",
      exitCode: 1,
    });
  });

  it('refuses to boot a configured zone: must be installed before boot.', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'boot'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': must be installed before boot.\n",
      exitCode: 1,
    });
  });

  it('refuses a second install: is already installed.', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const r = await run(root, ['zoneadm', '-z', 'vm1', 'install']);
    expect(r.stderr).toBe("zoneadm: zone 'vm1': is already installed.\n");
    expect(r.exitCode).toBe(1);
  });

  it("refuses to uninstall a configured zone: is already in state 'configured'.", async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    const r = await run(root, ['zoneadm', '-z', 'vm1', 'uninstall', '-F']);
    expect(r.stderr).toBe("zoneadm: zone 'vm1': is already in state 'configured'.\n");
    expect(r.exitCode).toBe(1);
  });

  it('refuses to uninstall a running zone', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    const r = await run(root, ['zoneadm', '-z', 'vm1', 'uninstall', '-F']);
    expect(r.stderr).toBe(
      "zoneadm: zone 'vm1': uninstall operation is invalid for running zones.\n",
    );
    expect(r.exitCode).toBe(1);
  });

  it('refuses uninstall without -F when input is not a terminal', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const r = await run(root, ['zoneadm', '-z', 'vm1', 'uninstall']);
    expect(r.stderr).toBe(
      "zoneadm: zone 'vm1': Input not from terminal and -F not specified: uninstall not done.\n",
    );
    expect(r.exitCode).toBe(1);
    expect(await ok(root, ['zoneadm', '-z', 'vm1', 'list', '-p'])).toContain(':installed:');
  });

  it('refuses reboot of a zone that is not in the kernel (not running) and of a ready one', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    expect(await run(root, ['zoneadm', '-z', 'vm1', 'reboot'])).toEqual({
      stdout: '',
      stderr: "zoneadm: zone 'vm1': not running\n",
      exitCode: 1,
    });
    await ok(root, ['zoneadm', '-z', 'vm1', 'ready']);
    expect((await run(root, ['zoneadm', '-z', 'vm1', 'reboot'])).stderr).toBe(
      "zoneadm: zone 'vm1': reboot operation is invalid for zones in state 'ready'\n",
    );
  });

  it('prints the ZFS file system notice on install (stdout)', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'vm1', 'create -t bhyve; set zonepath=/zones/vm1']);
    expect(await ok(root, ['zoneadm', '-z', 'vm1', 'install'])).toBe(
      'A ZFS file system has been created for this zone.\n',
    );
  });

  it('prints usage and exits 2 for an unknown subcommand; says no zone specified without -z', async () => {
    const root = newHost();
    const r = await run(root, ['zoneadm', 'frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('usage:');
    expect(await run(root, ['zoneadm', 'boot'])).toEqual({
      stdout: '',
      stderr: 'zoneadm: no zone specified\n',
      exitCode: 1,
    });
  });

  it('refuses operations on the global zone', async () => {
    const root = newHost();
    const r = await run(root, ['zoneadm', '-z', 'global', 'halt']);
    expect(r.stderr).toBe(
      "zoneadm: zone 'global': halt operation is invalid for the global zone.\n",
    );
    expect(r.exitCode).toBe(1);
  });
});
