import { spawn } from 'node-pty';
import type { HostExec } from '../host/exec.js';
import type { ConsoleLink } from './recipe-steps.js';

/** zlogin's escape at the start of a line: leaves the console for the next client. */
const DETACH = '\r~.';
const KILL_AFTER_MS = 2000;

/**
 * The VM's serial console for a recipe: `zlogin -C ZONE` under a pty, as the console websocket
 * runs it (serial-session.ts; zlogin -C needs a terminal). zlogin serves one client at a time:
 * while someone is attached the recipe gets zlogin's "Console is already in use" as the reason
 * the console closed. `close()` detaches with the escape and makes sure zlogin is gone.
 */
export function openZloginConsole(
  exec: HostExec,
  env: Record<string, string>,
  zone: string,
): ConsoleLink & { close(): Promise<void> } {
  const [file, ...prefix] = exec.resolve('zlogin') as [string, ...string[]];
  const pty = spawn(file, [...prefix, '-C', zone], { name: 'xterm', cols: 80, rows: 24, env });
  let lastLine = '';
  let exited = false;
  const closed = new Promise<string>((resolve) => {
    pty.onExit(({ exitCode }) => {
      exited = true;
      const printable = lastLine.replace(/[^\x20-\x7e]/g, '').trim();
      resolve(printable || `zlogin -C exited with status ${exitCode}`);
    });
  });
  pty.onData((data) => {
    const lines = data.split(/\r?\n/).filter((l) => l.trim() !== '');
    lastLine = lines.at(-1) ?? lastLine;
  });
  return {
    write: (text) => {
      if (!exited) pty.write(text);
    },
    onData: (listener) => {
      pty.onData(listener);
    },
    closed,
    async close() {
      if (exited) return;
      pty.write(DETACH);
      const kill = setTimeout(() => {
        if (!exited) pty.kill('SIGKILL');
      }, KILL_AFTER_MS);
      await closed;
      clearTimeout(kill);
    },
  };
}
