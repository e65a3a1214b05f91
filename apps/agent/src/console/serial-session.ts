import { spawn } from 'node-pty';
import type { WebSocket } from 'ws';
import type { HostExec } from '../host/exec.js';
import type { Logger } from '../log.js';
import type { VmRow } from '../vms/vm-store.js';

/**
 * The serial console: `zlogin -C ZONE` needs a terminal on stdin, so it runs under a pty (the
 * one host command that cannot go through execa). Closing the websocket sends zlogin's escape
 * (`~.` at the start of a line) so the console is free for the next client, then kills it.
 */
export function serialSession(exec: HostExec, env: Record<string, string>) {
  return (ws: WebSocket, vm: VmRow, log: Logger) => {
    const [file, ...prefix] = exec.resolve('zlogin') as [string, ...string[]];
    const pty = spawn(file, [...prefix, '-C', vm.id], { name: 'xterm', cols: 80, rows: 24, env });
    let open = true;
    pty.onData((data) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.from(data, 'utf8'));
    });
    pty.onExit(({ exitCode }) => {
      open = false;
      log.info('zlogin exited', { exit_code: exitCode });
      if (ws.readyState === ws.OPEN) ws.close(1000, 'console closed');
    });
    ws.on('message', (data: Buffer) => {
      if (open) pty.write(data.toString('utf8'));
    });
    ws.on('close', () => {
      if (!open) return;
      pty.write('\r~.');
      setTimeout(() => {
        if (open) pty.kill();
      }, 1000).unref();
    });
  };
}
