import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type AgentRole, ApiError, REQUEST_ID_HEADER, StandardClose, VmId } from '@apiary/protocol';
import { type Logger, requestIdFor, withLogBindings } from '@apiary/server-kit';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Db } from '../db/open.js';
import { authenticateKey } from '../http/key-auth.js';
import { getVm, type VmRow } from '../vms/vm-store.js';

/*
 * Console websockets: `/api/vms/{id}/console` (serial, `zlogin -C` under a pty) and
 * `/api/vms/{id}/vnc` (bridged to the zone's VNC socket). Raw bytes both ways. The upgrade is
 * authenticated (operator role: a console controls the VM) before any session starts.
 */

export type ConsoleKind = 'console' | 'vnc';
export type SessionStarter = (ws: WebSocket, vm: VmRow, log: Logger) => void;

const PATH = /^\/api\/vms\/([^/]+)\/(console|vnc)$/;
const REQUIRED_ROLE: AgentRole = 'operator';

interface ConsoleUpgradeDeps {
  db: Db;
  log: Logger;
  sessions: Record<ConsoleKind, SessionStarter>;
}

export function createConsoleUpgrade(deps: ConsoleUpgradeDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    // An exception here would be thrown from the HTTP server's `upgrade` event and end the
    // agent: whatever goes wrong is logged and costs this one socket only.
    socket.on('error', () => {});
    try {
      withLogBindings({ request_id: requestId }, () =>
        upgradeConsole(deps, wss, req, socket, head),
      );
    } catch (error) {
      deps.log.error({ error, path: req.url?.split('?')[0] }, 'console upgrade failed');
      socket.destroy();
    }
  };
}

function upgradeConsole(
  deps: ConsoleUpgradeDeps,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
) {
  const refuse = (status: number, msg: string) => {
    deps.log.info({ status, path: req.url?.split('?')[0], reason: msg }, 'console refused');
    socket.end(`HTTP/1.1 ${status} ${msg}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  // Anonymous input: `//` or `//[` are request targets `new URL` throws on.
  const path = parsePath(req.url);
  if (path === null) return refuse(400, 'Bad Request');
  const match = PATH.exec(path);
  if (!match) return refuse(404, 'Not Found');
  let key: { keyId: string };
  try {
    key = authenticateKey(deps.db, req.headers.authorization, REQUIRED_ROLE);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return refuse(error.status, error.status === 401 ? 'Unauthorized' : 'Forbidden');
  }
  const id = VmId.safeParse(decodeSegment(match[1] as string));
  if (!id.success) return refuse(400, 'Bad Request');
  const vm = getVm(deps.db, id.data);
  if (!vm) return refuse(404, 'Not Found');
  if (vm.state === 'creating' || vm.state === 'deleting' || vm.state === 'failed') {
    return refuse(409, 'Conflict');
  }
  const kind = match[2] as ConsoleKind;
  wss.handleUpgrade(req, socket, head, (ws) => {
    const log = deps.log.child({ vm_id: vm.id, console: kind });
    log.info({ key_id: key.keyId }, 'console session opened');
    // A broken frame from the client (too large, bad UTF-8, unmasked) is reported as 'error'
    // (ws then closes with 1009/1007/1002); unheard, it would be thrown and end the agent.
    ws.on('error', (error) => log.info({ error: error.message }, 'console client error'));
    ws.on('close', (code) => log.info({ code }, 'console session closed'));
    try {
      deps.sessions[kind](ws, vm, log);
    } catch (error) {
      log.error({ error }, 'console session failed to start');
      ws.close(StandardClose.internalError, 'the console could not be started');
    }
  });
}

function parsePath(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://agent').pathname;
  } catch {
    return null;
  }
}

/** A path segment decoded, or '' (refused by VmId) when its percent-encoding is broken. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
