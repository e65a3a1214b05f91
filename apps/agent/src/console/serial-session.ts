import { CloseCode, StandardClose } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import { type IPty, spawn } from 'node-pty';
import type { WebSocket } from 'ws';
import type { HostExec } from '../host/exec.js';
import type { VmRow } from '../vms/vm-store.js';
import { boundedSender } from './bounded-sender.js';

/** zlogin's escape, at the start of a line: detaches from the console. */
const DETACH = '\r~.';
/** zlogin that did not take `~.` gets SIGHUP, and SIGKILL if that did not end it either. */
const HANGUP_AFTER_MS = 1000;
const KILL_AFTER_MS = 2000;
/** How long a new client waits for the previous client's zlogin to go. */
const HANDOVER_WAIT_MS = 5000;
/** Keystrokes kept while zlogin starts (a paste, at most). */
const MAX_PENDING_INPUT = 64 * 1024;

/** The client of one VM's serial console, and when its zlogin is gone. */
interface Attachment {
  ws: WebSocket;
  gone: Promise<void>;
}

/**
 * The serial console: `zlogin -C ZONE` needs a terminal on stdin, so it runs under a pty (the
 * one host command that cannot go through execa). zlogin -C serves one client at a time, so
 * does this: a second client while one is attached is closed with 4409 and says why; a client
 * that comes while the previous one's zlogin is still on its way out waits for it (briefly)
 * instead of meeting zlogin's "Console is already in use". Closing the websocket sends zlogin's
 * escape (`~.` at the start of a line) so the console is free for the next client.
 */
export function serialSession(exec: HostExec, env: Record<string, string>) {
  const attached = new Map<string, Attachment>();
  return (ws: WebSocket, vm: VmRow, log: Logger) => {
    const previous = attached.get(vm.id);
    // A client whose close has begun (CLOSING) is leaving: the next one waits for it instead.
    if (previous && previous.ws.readyState === previous.ws.OPEN) {
      log.info('serial console in use; second client refused');
      ws.close(CloseCode.conflict, `the serial console of ${vm.id} is in use by another client`);
      return;
    }
    let markGone = () => {};
    const me: Attachment = { ws, gone: new Promise((r) => (markGone = r)) };
    attached.set(vm.id, me);
    const release = () => {
      if (attached.get(vm.id) === me) attached.delete(vm.id);
      markGone();
    };

    let pty: IPty | undefined;
    const pending: string[] = [];
    let pendingBytes = 0;
    ws.on('message', (data: Buffer) => {
      if (pty) return pty.write(data.toString('utf8'));
      if (pendingBytes + data.length > MAX_PENDING_INPUT) return;
      pendingBytes += data.length;
      pending.push(data.toString('utf8'));
    });
    let waited: NodeJS.Timeout | undefined;
    ws.on('close', () => {
      clearTimeout(waited);
      if (pty) detach(pty, log);
      else release();
    });

    let started = false;
    const start = () => {
      if (started || ws.readyState !== ws.OPEN) return;
      started = true;
      try {
        pty = attach(exec, env, ws, vm, log, release);
      } catch (error) {
        log.error({ error }, 'zlogin -C could not be started');
        release();
        ws.close(StandardClose.internalError, 'the console could not be started');
        return;
      }
      for (const keys of pending.splice(0)) pty.write(keys);
    };
    if (!previous) return start();
    waited = setTimeout(start, HANDOVER_WAIT_MS);
    void previous.gone.then(() => {
      clearTimeout(waited);
      start();
    });
  };
}

function attach(
  exec: HostExec,
  env: Record<string, string>,
  ws: WebSocket,
  vm: VmRow,
  log: Logger,
  release: () => void,
): IPty {
  const [file, ...prefix] = exec.resolve('zlogin') as [string, ...string[]];
  const pty = spawn(file, [...prefix, '-C', vm.id], { name: 'xterm', cols: 80, rows: 24, env });
  const send = boundedSender(ws, pty);
  // zlogin's own words when it fails ("Console is already in use by process ID ..."): the
  // close reason then says why rather than "closed".
  let lastLine = '';
  pty.onData((data) => {
    send(Buffer.from(data, 'utf8'));
    const lines = data.split(/\r?\n/).filter((l) => l.trim() !== '');
    lastLine = lines.at(-1) ?? lastLine;
  });
  pty.onExit(({ exitCode }) => {
    exited.add(pty);
    log.info({ exit_code: exitCode }, 'zlogin exited');
    if (ws.readyState === ws.OPEN) {
      const reason = exitCode === 0 ? 'console closed' : closeReason(lastLine, exitCode);
      ws.close(exitCode === 0 ? StandardClose.normal : StandardClose.internalError, reason);
    }
    release();
  });
  return pty;
}

/** ptys whose process has exited: nothing more to send or kill. */
const exited = new WeakSet<IPty>();

function detach(pty: IPty, log: Logger) {
  if (exited.has(pty)) return;
  pty.write(DETACH);
  const hangup = setTimeout(() => {
    if (exited.has(pty)) return;
    log.warn('zlogin did not detach; hanging up');
    pty.kill();
  }, HANGUP_AFTER_MS);
  const kill = setTimeout(() => {
    if (!exited.has(pty)) pty.kill('SIGKILL');
  }, KILL_AFTER_MS);
  pty.onExit(() => {
    clearTimeout(hangup);
    clearTimeout(kill);
  });
}

function closeReason(line: string, exitCode: number): string {
  const printable = line.replace(/[^\x20-\x7e]/g, '').trim();
  return (printable || `zlogin -C exited with status ${exitCode}`).slice(0, 120);
}
