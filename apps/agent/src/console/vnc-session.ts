import type { WebSocket } from 'ws';
import type { Layout } from '../layout.js';
import type { Logger } from '../log.js';
import { connectUnix } from '../util/connect-unix.js';
import type { VmRow } from '../vms/vm-store.js';

/**
 * VNC: bhyve serves RFB on a unix socket inside the zone (`vnc=on` -> /tmp/vm.vnc); bhyve is
 * chrooted in the zone, so the host path is `<zonepath>/root/tmp/vm.vnc`. Bytes are relayed
 * unchanged both ways (the client speaks RFB over the websocket, as noVNC does).
 */
export function vncSession(layout: Layout) {
  return (ws: WebSocket, vm: VmRow, log: Logger) => {
    const path = layout.real(`${layout.zonepath(vm.id)}/root/tmp/vm.vnc`);
    const socket = connectUnix(path);
    socket.on('data', (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk);
    });
    socket.on('error', (error) => {
      log.warn('VNC socket unavailable', { error: error.message });
      if (ws.readyState === ws.OPEN) ws.close(1011, 'VNC not available');
    });
    socket.on('close', () => {
      if (ws.readyState === ws.OPEN) ws.close(1000, 'VNC closed');
    });
    ws.on('message', (data: Buffer) => socket.write(data));
    ws.on('close', () => socket.destroy());
  };
}
