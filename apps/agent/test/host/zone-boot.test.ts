import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandResult, HostExec } from '../../src/host/exec.js';
import { bootZone, pickReason, ZoneBootError } from '../../src/host/zone-boot.js';
import { tempDir } from '../helpers/temp.js';

const CHECK = { settleMs: 0, pollMs: 1, maxWaitMs: 1_000 };

/** A host whose zone shows the given states, one per `zoneadm list`, and logs what ran. */
function fakeHost(states: string[], onBoot: () => void = () => {}) {
  const ran: string[] = [];
  const exec: HostExec = {
    async run(command, args): Promise<CommandResult> {
      const argv = [command, ...args];
      ran.push(argv.join(' '));
      let stdout = '';
      if (args.includes('list')) {
        const state = states.shift() ?? 'installed';
        stdout = `-:vm1:${state}:/zones/vm1:uuid:bhyve:excl:0\n`;
      } else if (args.includes('boot') || args.includes('reboot')) onBoot();
      return { argv, exitCode: 0, stdout, stderr: '', durationMs: 1 };
    },
    pipe: () => Promise.reject(new Error('not used')),
    resolve: (c) => [c],
  };
  return { exec, ran };
}

describe('pickReason', () => {
  it('takes the first error line of what init.log gained, without its timestamp', () => {
    const text = [
      '2026-01-02T03:04:05.678Z bhyve started for zone vm1',
      '2026-01-02T03:04:05.699Z bhyve-vm1: Could not open backing file: /dev/zvol/rdsk/rpool/vm1/disk0: No such file or directory',
      '2026-01-02T03:04:05.701Z zone halted',
      '',
    ].join('\n');
    expect(pickReason(text)).toBe(
      'bhyve-vm1: Could not open backing file: /dev/zvol/rdsk/rpool/vm1/disk0: No such file or directory',
    );
  });

  it('falls back to the last line, and to null for an empty excerpt', () => {
    expect(pickReason('fbuf frame buffer base: 0x1\nvm exited\n')).toBe('vm exited');
    expect(pickReason('\n\n')).toBeNull();
  });

  it('drops control characters a guest console could have written', () => {
    expect(pickReason('Error opening bootrom "/x\u001b[2J": No such file\n')).toBe(
      'Error opening bootrom "/x[2J": No such file',
    );
  });
});

describe('bootZone', () => {
  it('runs one zoneadm list after the settle when the zone is running', async () => {
    const host = fakeHost(['running']);
    await bootZone(host.exec, 'vm1', 'boot', { real: '/nonexistent', shown: '/x' }, CHECK);
    expect(host.ran).toEqual(['zoneadm -z vm1 boot', 'zoneadm -z vm1 list -p']);
  });

  it('waits while the zone goes down and fails with the reason bhyve logged during this boot', async () => {
    const dir = tempDir('initlog');
    const log = join(dir, 'init.log');
    writeFileSync(log, 'bhyve-vm1: Could not open backing file: /old: No such file or directory\n');
    const host = fakeHost(['shutting_down', 'down', 'installed'], () =>
      appendFileSync(log, 'bhyve-vm1: Could not open backing file: /new: No such file\nhalted\n'),
    );
    const error = await bootZone(
      host.exec,
      'vm1',
      'reboot',
      { real: log, shown: '/zones/vm1/root/tmp/init.log' },
      CHECK,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ZoneBootError);
    expect(error).toMatchObject({ state: 'installed' });
    // The line from before this boot is not the reason.
    expect(error.message).toBe(
      'zone vm1 is installed after boot: bhyve-vm1: Could not open backing file: /new: No such file',
    );
    expect(host.ran.filter((c) => c.endsWith('list -p'))).toHaveLength(3);
  });

  it('names init.log when it cannot be read', async () => {
    const host = fakeHost(['installed']);
    const error = await bootZone(
      host.exec,
      'vm1',
      'boot',
      { real: '/nonexistent/init.log', shown: '/zones/vm1/root/tmp/init.log' },
      CHECK,
    ).catch((e) => e);
    expect(error.message).toBe(
      'zone vm1 is installed after boot: no reason found in /zones/vm1/root/tmp/init.log',
    );
  });

  it('gives up on a zone that stays in a transitional state', async () => {
    const host = fakeHost(Array(100).fill('ready'));
    const error = await bootZone(
      host.exec,
      'vm1',
      'boot',
      { real: '/nonexistent', shown: '/x' },
      { settleMs: 0, pollMs: 5, maxWaitMs: 30 },
    ).catch((e) => e);
    expect(error).toMatchObject({ name: 'ZoneBootError', state: 'ready' });
  });
});
