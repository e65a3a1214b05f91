import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { appendCommandLog } from '../core/command-log.js';
import { GetoptError, lastValue } from '../core/getopt.js';
import { readState } from '../core/state-store.js';
import { readGuestAccounts } from '../guest/guest-accounts.js';
import { writeSetHostname } from '../guest/guest-hostname.js';
import { readGuestIdentity } from '../guest/guest-identity.js';
import { type ConsoleGuest, GuestGetty } from './guest-getty.js';
import { checkZone, parseZlogin } from './zlogin-batch.js';

/**
 * `zlogin -C` on a real terminal: the zone console. One client at a time (a lock file holding
 * the client's pid, like zoneadmd's console socket), raw mode, `~.` at the start of a line
 * disconnects, `-e c` changes the escape, `-E` disables it, `-d` disconnects when the zone
 * halts. The guest on the other side is a getty (see guest-getty.ts) while the zone runs;
 * for an installed zone the console waits and the guest appears when the zone boots.
 */
export async function runConsole(root: string, args: string[]): Promise<number> {
  const started = Date.now();
  let parsed: ReturnType<typeof parseZlogin>;
  try {
    parsed = parseZlogin(args);
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    process.stderr.write(
      'zlogin: usage: zlogin [-dnQCEINS] [-e cmdchar] [-l user] zonename [command [argument ...]]\n',
    );
    return 2;
  }
  const { opts, zone, bad } = parsed;
  const done = (code: number) => {
    appendCommandLog(root, {
      argv: ['zlogin', ...args],
      exit_code: code,
      duration_ms: Date.now() - started,
      time: new Date(started).toISOString(),
      pid: process.pid,
    });
    return code;
  };
  if (bad || zone === undefined) {
    process.stderr.write(
      'zlogin: usage: zlogin [-dnQCEINS] [-e cmdchar] [-l user] zonename [command [argument ...]]\n',
    );
    return done(2);
  }
  const problem = checkZone(root, zone);
  if (problem) {
    process.stderr.write(problem);
    return done(1);
  }
  const lock = join(root, `console-${zone}.lock`);
  if (!takeLock(lock)) {
    process.stderr.write(
      `zlogin: Console is already in use by process ID ${readFileSync(lock, 'utf8').trim()}.\n`,
    );
    return done(1);
  }
  const quiet = opts.flags.has('Q');
  const escapeChar = opts.flags.has('E') ? undefined : (lastValue(opts, 'e') ?? '~');
  if (!quiet) process.stdout.write(`[Connected to zone '${zone}' console]\n`);
  process.stdin.setRawMode(true);
  // libuv's raw mode keeps ONLCR; zlogin passes the guest's bytes through untouched.
  setOutputProcessing(false);
  const code = await new Promise<number>((resolve) => {
    const getty = new GuestGetty(
      zone,
      (text) => process.stdout.write(text),
      () => guestOf(root, zone),
    );
    let atLineStart = true;
    let pendingEscape = false;
    let running = zoneRunning(root, zone);
    if (running) getty.start();
    const finish = (exit: number) => {
      clearInterval(timer);
      process.stdin.off('data', onData);
      setOutputProcessing(true);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      if (!quiet) process.stdout.write(`\n[Connection to zone '${zone}' console closed]\n`);
      resolve(exit);
    };
    const onData = (chunk: Buffer) => {
      for (const byte of chunk.toString('latin1')) {
        if (pendingEscape) {
          pendingEscape = false;
          if (byte === '.') {
            process.stdout.write(`${escapeChar}.`);
            return finish(0);
          }
          if (running) getty.input(escapeChar!);
        } else if (escapeChar !== undefined && atLineStart && byte === escapeChar) {
          pendingEscape = true;
          continue;
        }
        atLineStart = byte === '\r' || byte === '\n';
        if (running) getty.input(byte);
      }
    };
    process.stdin.on('data', onData);
    const timer = setInterval(() => {
      const now = zoneRunning(root, zone);
      if (now && !running) {
        process.stdout.write('\r\n[NOTICE: Zone booting up]\r\n');
        getty.start();
      } else if (!now && running) {
        process.stdout.write('\r\n[NOTICE: Zone halted]\r\n');
        getty.stop();
        if (opts.flags.has('d')) return finish(0);
      }
      running = now;
    }, 100);
  });
  rmSync(lock, { force: true });
  return done(code);
}

/** The guest as its login sees it now: its disk's accounts, its name, its OS. */
function guestOf(root: string, zone: string): ConsoleGuest {
  const hostRoot = join(root, 'root');
  const record = readState(root).zones.find((z) => z.name === zone);
  if (!record) throw new Error(`zone ${zone} is gone`);
  const identity = readGuestIdentity(hostRoot, record);
  return {
    accounts: readGuestAccounts(hostRoot, record),
    shell: {
      hostname: identity.hostname,
      os: identity.os,
      setHostname: (name) => writeSetHostname(hostRoot, record, name),
    },
  };
}

function setOutputProcessing(on: boolean): void {
  spawnSync('stty', [on ? 'onlcr' : '-onlcr'], { stdio: ['inherit', 'ignore', 'ignore'] });
}

/**
 * Whether the guest is on the zone console: the zone runs and its bhyve `console` attr is the
 * default /dev/zconsole (with `console=socket,...` COM1 goes to the socket instead).
 */
function zoneRunning(root: string, zone: string): boolean {
  try {
    const z = readState(root).zones.find((x) => x.name === zone);
    if (z?.state !== 'running') return false;
    const consoleAttr = z.config.resources.find(
      (r) => r.type === 'attr' && r.props.name === 'console',
    );
    const target = consoleAttr?.props.value;
    return target === undefined || target.startsWith('/dev/zconsole');
  } catch {
    return false;
  }
}

function takeLock(path: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}`);
      closeSync(fd);
      return true;
    } catch {
      try {
        process.kill(Number(readFileSync(path, 'utf8').trim()), 0);
        return false;
      } catch {
        rmSync(path, { force: true });
      }
    }
  }
  return false;
}
