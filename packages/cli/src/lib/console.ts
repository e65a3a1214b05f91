import { StandardClose } from '@apiary/protocol';
import WebSocket from 'ws';

const DETACH = 0x1d; // Ctrl-]

/**
 * The controller upgrades a client it then refuses (VM stopped, console already taken) only to
 * send the close frame right behind the 101, so "open" alone does not mean accepted. A console
 * counts as accepted once it sends something (zlogin's banner) or stays open this long.
 */
export const ACCEPT_SETTLE_MS = 300;

/** How a console session ended: the user detached, or the other side closed (and why). */
export interface ConsoleEnd {
  detached: boolean;
  code: number;
  reason: string;
}

/**
 * Bridges a terminal to a console websocket: raw keystrokes out, bytes in. Ctrl-] detaches,
 * as in telnet; everything else (including zlogin's own `~.`) goes to the console. Resolves
 * with how it ended, so that a console the controller refused or lost (a close code and a
 * reason, e.g. 4409 "VM ... is stopped") is not mistaken for a detach. `onOpen` runs once
 * the console is accepted (see ACCEPT_SETTLE_MS), never for one refused right after the upgrade;
 * keystrokes are read only from then on.
 */
export function attachConsole(
  url: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  onOpen: () => void = () => {},
  tls: { ca?: Buffer; rejectUnauthorized?: boolean } = {},
  settleMs = ACCEPT_SETTLE_MS,
): Promise<ConsoleEnd> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, tls);
    const raw = input.isTTY === true;
    let detached = false;
    let accepted = false;
    let settle: NodeJS.Timeout | undefined;
    const onData = (chunk: Buffer) => {
      const at = chunk.indexOf(DETACH);
      // What was typed before Ctrl-] in the same read still goes to the console.
      const keys = at === -1 ? chunk : chunk.subarray(0, at);
      if (keys.length > 0 && socket.readyState === WebSocket.OPEN) socket.send(keys);
      if (at !== -1) {
        detached = true;
        socket.close(StandardClose.normal, 'detached');
      }
    };
    const accept = () => {
      clearTimeout(settle);
      if (accepted) return;
      accepted = true;
      onOpen();
      if (raw) input.setRawMode(true);
      input.on('data', onData);
      input.resume();
    };
    const cleanup = () => {
      clearTimeout(settle);
      if (!accepted) return;
      input.off('data', onData);
      if (raw) input.setRawMode(false);
      input.pause();
    };
    socket.on('open', () => {
      settle = setTimeout(accept, settleMs);
    });
    socket.on('message', (data: Buffer) => {
      accept();
      output.write(data);
    });
    socket.on('close', (code, reason) => {
      cleanup();
      resolve({ detached, code, reason: reason.toString() });
    });
    socket.on('error', (error) => {
      cleanup();
      reject(new Error(`console connection failed: ${error.message}`));
    });
  });
}
