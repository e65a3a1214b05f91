import type { Socket } from 'node:net';
import type { HostState } from '../core/state-types.js';
import { guestHostKey } from '../guest/guest-host-key.js';
import { serveHttp } from '../guest/guest-http.js';
import { readGuestIdentity } from '../guest/guest-identity.js';
import { serveSsh } from '../guest/guest-ssh.js';
import { admitsInboundTcp } from '../net/ipf-verdict.js';
import { activeForwards } from '../net/rdr-forwards.js';

/**
 * Where a connection to a forwarded port goes: the rdr rule that holds the port now, through
 * the global zone's and then the guest zone's packet filter (a connection they would not let
 * through both ways is reset), to the guest's SSH server on port 22 or its web responder on
 * any other port.
 */
export function connectGuest(state: HostState, hostRoot: string, port: number, socket: Socket) {
  const forward = activeForwards(state).find((f) => f.hostPort === port);
  const zone = forward && state.zones.find((z) => z.name === forward.zone);
  const zonepath = zone?.config.props.zonepath;
  if (!forward || !zone || !zonepath) return socket.resetAndDestroy();
  const conn = {
    client: socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    clientPort: socket.remotePort ?? 0,
    guest: forward.guestIp,
    guestPort: forward.guestPort,
  };
  const zoneFilter = state.ipfilter.zones[zone.name];
  if (
    !admitsInboundTcp(state.ipfilter.global, { ...conn, iface: forward.link }) ||
    (zoneFilter && !admitsInboundTcp(zoneFilter, { ...conn, iface: forward.guestLink }))
  )
    return socket.resetAndDestroy();
  const guest = () => readGuestIdentity(hostRoot, zone);
  if (forward.guestPort !== 22) return serveHttp(socket, () => guest().hostname);
  const hostKey = guestHostKey(hostRoot, zonepath);
  if (!hostKey) return socket.resetAndDestroy();
  serveSsh(socket, hostKey, guest);
}
