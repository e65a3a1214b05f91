import type { WebSocket } from 'ws';

/** Bytes queued on a websocket before its source is no longer read, and when to read again. */
export const HIGH_WATER = 1024 * 1024;
export const LOW_WATER = 256 * 1024;

export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Sends a byte source's output (a pty, the zone's VNC socket) to a websocket, and stops reading
 * the source while the websocket holds more than HIGH_WATER unsent bytes, until it is below
 * LOW_WATER. Without it a client that does not read (or a slow link, or a controller that
 * stopped reading us for a slow browser) makes the agent buffer whatever the VM prints or
 * draws, without limit; with it the guest waits, as on a real serial line.
 */
export function boundedSender(ws: WebSocket, source: Pausable): (data: Buffer) => void {
  let paused = false;
  const resume = () => {
    if (!paused) return;
    paused = false;
    source.resume();
  };
  // Once the client is gone the source is read again, so that it can reach its end.
  ws.once('close', resume);
  return (data) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(data, () => {
      if (ws.bufferedAmount < LOW_WATER) resume();
    });
    if (!paused && ws.bufferedAmount > HIGH_WATER) {
      paused = true;
      source.pause();
    }
  };
}
