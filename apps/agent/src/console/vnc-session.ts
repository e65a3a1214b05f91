import { StandardClose } from '@apiary/protocol';
import type { Logger } from '@apiary/server-kit';
import type { WebSocket } from 'ws';
import type { Layout } from '../host/layout.js';
import { connectUnix } from '../util/connect-unix.js';
import type { VmRow } from '../vms/vm-store.js';
import { boundedSender } from './bounded-sender.js';

/**
 * VNC: bhyve serves RFB on a unix socket inside the zone (`vnc=on` -> /tmp/vm.vnc); bhyve is
 * chrooted in the zone, so the host path is `<zonepath>/root/tmp/vm.vnc`. Bytes are relayed
 * unchanged both ways (the client speaks RFB over the websocket, as noVNC does). The socket is
 * not read while the websocket is backed up (a client asking for full frames and not reading
 * them would otherwise grow the agent's memory by a frame per request).
 */
export function vncSession(layout: Layout) {
  return (ws: WebSocket, vm: VmRow, log: Logger) => {
    const path = layout.real(`${layout.zonepath(vm.id)}/root/tmp/vm.vnc`);
    const socket = connectUnix(path);
    const send = boundedSender(ws, socket);
    socket.on('data', send);
    socket.on('error', (error) => {
      log.warn({ error: error.message }, 'VNC socket unavailable');
      if (ws.readyState === ws.OPEN) ws.close(StandardClose.internalError, 'VNC not available');
    });
    socket.on('close', () => {
      if (ws.readyState === ws.OPEN) ws.close(StandardClose.normal, 'VNC closed');
    });
    // The other way too: a client's input waits in its own TCP buffers while bhyve is not
    // reading, not in ours.
    ws.on('message', (data: Buffer) => {
      if (socket.destroyed) return;
      if (!socket.write(data) && !ws.isPaused) ws.pause();
    });
    socket.on('drain', () => ws.resume());
    ws.on('close', () => socket.destroy());
  };
}
