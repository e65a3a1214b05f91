import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guestHostname } from '../src/guest/guest-api.js';
import { writeGuestOsRelease } from '../src/guest/guest-disk.js';
import { BIN, makeZone, newHost, ok, run } from './helpers.js';

/**
 * zlogin -C under a real pseudo-terminal. util-linux `script` provides the pty (no native
 * module needed): our pipe goes to script's stdin, script's pty is zlogin's terminal.
 */
interface Session {
  child: ChildProcess;
  output: () => string;
  send: (text: string) => void;
  waitFor: (text: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<number>;
}

const sessions: ChildProcess[] = [];
afterEach(() => {
  for (const c of sessions.splice(0)) c.kill('SIGKILL');
});

function console_(root: string, args: string): Session {
  const child = spawn('script', ['-qefc', `${join(BIN, 'zlogin')} ${args}`, '/dev/null'], {
    env: { ...process.env, ILLUMOS_SIM_ROOT: root },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  sessions.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('latin1');
  });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    child,
    output: () => out,
    send: (text) => child.stdin!.write(text),
    waitFor: async (text, timeoutMs = 8000) => {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${JSON.stringify(text)}; got ${JSON.stringify(out)}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    exited,
  };
}

describe('zlogin -C', () => {
  it('connects, shows a login prompt, echoes, asks for a password and refuses the login', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    const s = console_(root, '-C vm1');
    await s.waitFor("[Connected to zone 'vm1' console]\r\n");
    await s.waitFor('\r\n\r\nOmniOS r151054 vm1 ttya\r\n\r\nvm1 console login: ');
    s.send('root\r');
    await s.waitFor('login: root\r\nPassword: ');
    s.send('secret\r');
    await s.waitFor('Password: \r\nLogin incorrect\r\nvm1 console login: ');
    expect(s.output()).not.toContain('secret');
    s.send('~.');
    await s.waitFor("~.\r\n[Connection to zone 'vm1' console closed]\r\n");
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('allows one client at a time', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    const first = console_(root, '-C vm1');
    await first.waitFor('console login: ');
    const second = console_(root, '-C vm1');
    await second.waitFor('zlogin: Console is already in use by process ID ');
    expect(await second.exited).toBe(1);
    first.send('\r~.');
    expect(await first.exited).toBe(0);
    const third = console_(root, '-C vm1');
    await third.waitFor('console login: ');
    third.send('~.');
    expect(await third.exited).toBe(0);
  }, 30_000);

  it('waits on an installed zone and shows the guest when it boots; -d leaves when it halts', async () => {
    const root = newHost();
    await makeZone(root, 'vm1');
    const s = console_(root, '-d -C vm1');
    await s.waitFor("[Connected to zone 'vm1' console]\r\n");
    await new Promise((r) => setTimeout(r, 300));
    expect(s.output()).not.toContain('login:');
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    await s.waitFor('[NOTICE: Zone booting up]\r\n');
    await s.waitFor('vm1 console login: ');
    await ok(root, ['zoneadm', '-z', 'vm1', 'halt']);
    await s.waitFor('[NOTICE: Zone halted]');
    await s.waitFor("[Connection to zone 'vm1' console closed]");
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('uses another escape character with -e and none with -E', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    const s = console_(root, "-e '#' -C vm1");
    await s.waitFor('console login: ');
    s.send('~.');
    await s.waitFor('login: ~.');
    s.send('\r#.');
    await s.waitFor("#.\r\n[Connection to zone 'vm1' console closed]");
    expect(await s.exited).toBe(0);
    const raw = console_(root, '-E -C vm1');
    await raw.waitFor('console login: ');
    raw.send('~.');
    await raw.waitFor('login: ~.');
    await new Promise((r) => setTimeout(r, 200));
    expect(raw.output()).not.toContain('closed]');
  }, 30_000);

  it('shows nothing of the guest when its console is a socket, and no banner with -Q', async () => {
    const root = newHost();
    await makeZone(
      root,
      'vm1',
      true,
      'add attr\nset name=console\nset type=string\nset value="socket,/tmp/vm.com1"\nend\n',
    );
    const s = console_(root, '-Q -C vm1');
    // no banner to wait for: wait for the console lock, taken just before raw mode
    const lock = join(root, 'console-vm1.lock');
    const deadline = Date.now() + 10_000;
    while (!existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    expect(s.output()).toBe('');
    s.send('~.');
    expect(await s.exited).toBe(0);
    expect(s.output()).toBe('~.');
  }, 30_000);

  it('prints the banner and fails on a pipe: stdin must be a terminal', async () => {
    const root = newHost();
    await makeZone(root, 'vm1', true);
    expect(await run(root, ['zlogin', '-C', 'vm1'])).toEqual({
      stdout: "[Connected to zone 'vm1' console]\n",
      stderr:
        'zlogin: failed to get user terminal settings: Inappropriate ioctl for device\nzlogin: failed to set stdin pty to raw mode: Inappropriate ioctl for device\n',
      exitCode: 1,
    });
  });

  it('refuses unknown and unconfigured-only zones, and bad option combinations', async () => {
    const root = newHost();
    await ok(root, ['zonecfg', '-z', 'cfg', 'create -t bhyve; set zonepath=/zones/cfg']);
    expect(await run(root, ['zlogin', '-C', 'nope'])).toEqual({
      stdout: '',
      stderr: "zlogin: zone 'nope' unknown\n",
      exitCode: 1,
    });
    expect(await run(root, ['zlogin', '-C', 'cfg'])).toEqual({
      stdout: '',
      stderr: "zlogin: cannot login to a zone which is 'configured'\n",
      exitCode: 1,
    });
    expect(await run(root, ['zlogin', '-d', 'cfg'])).toEqual({
      stdout: '',
      stderr: 'zlogin: -d may only be specified with console login\n',
      exitCode: 2,
    });
    expect((await run(root, ['zlogin', '-C', '-l', 'root', 'cfg'])).exitCode).toBe(2);
  });
});

describe('zlogin -C: a guest with console accounts', () => {
  async function guest(id: 'omnios' | 'alpine') {
    const root = newHost();
    await makeZone(root, 'vm1');
    writeGuestOsRelease(root, 'rpool/zones/vm1/disk0', id, [
      { user: 'root', password: 'hunter2' },
      { user: 'joe', password: 'pw' },
    ]);
    await ok(root, ['zoneadm', '-z', 'vm1', 'boot']);
    return root;
  }

  it('logs in with the right password, runs commands, sets the hostname until the next boot', async () => {
    const root = await guest('omnios');
    const s = console_(root, '-C vm1');
    await s.waitFor('vm1 console login: ');
    s.send('root\r');
    await s.waitFor('Password: ');
    s.send('wrong\r');
    await s.waitFor('Password: \r\nLogin incorrect\r\nvm1 console login: ');
    s.send('root\rhunter2\r');
    await s.waitFor('OmniOS 5.11 omnios-r151054-f66ec2a7c3\r\nroot@vm1:~# ');
    expect(s.output()).not.toContain('hunter2');
    s.send('echo "hello  there" world\r');
    await s.waitFor('echo "hello  there" world\r\nhello  there world\r\nroot@vm1:~# ');
    s.send('hostname web-1; hostname\r');
    await s.waitFor('hostname web-1; hostname\r\nweb-1\r\nroot@web-1:~# ');
    expect(guestHostname(root, 'vm1')).toBe('web-1');
    s.send('frob\r');
    await s.waitFor('sh: frob: not found\r\nroot@web-1:~# ');
    s.send('exit\r');
    await s.waitFor('exit\r\n\r\nvm1 console login: ');
    // A user other than root may not rename the host.
    s.send('joe\rpw\r');
    await s.waitFor('joe@web-1:~$ ');
    s.send('hostname other\r');
    await s.waitFor('hostname: error in setting name: Not owner\r\njoe@web-1:~$ ');
    s.send('\x04');
    await s.waitFor('\r\n\r\nvm1 console login: ');
    s.send('\r~.');
    expect(await s.exited).toBe(0);
    await ok(root, ['zoneadm', '-z', 'vm1', 'reboot']);
    expect(guestHostname(root, 'vm1')).toBe('vm1');
  }, 30_000);

  it('gives an Alpine guest the ash prompt', async () => {
    const root = await guest('alpine');
    const s = console_(root, '-C vm1');
    await s.waitFor('vm1 console login: ');
    s.send('root\rhunter2\r');
    await s.waitFor('\r\nvm1:~# ');
    s.send('hostname\r');
    await s.waitFor('hostname\r\nvm1\r\nvm1:~# ');
    s.send('\r~.');
    expect(await s.exited).toBe(0);
  }, 30_000);
});
