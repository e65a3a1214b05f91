import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, CloseCode, REQUEST_ID_HEADER, StandardClose } from '@apiary/protocol';
import { type Logger, requestIdFor } from '@apiary/server-kit';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Ctx } from '../context.js';
import { isPrincipalCurrent } from '../services/auth/principal-current.js';
import {
  CONSOLE_SOCKET_PATHS,
  ConsoleRefusal,
  type ConsoleTarget,
  resolveConsoleTarget,
  spendConsoleTicket,
} from '../services/consoles/console-access.js';
import type { ConsoleGrant } from '../services/consoles/console-tickets.js';
import { dialAgent, type EarlyMessage } from './dial-agent.js';
import { closeSocket, relaySockets } from './relay-sockets.js';

const REVOKED = 'the credential this console was opened with was revoked or has expired';
/** Largest frame accepted from either side (keystrokes and RFB messages are far smaller). */
const MAX_FRAME = 1024 * 1024;

export interface ConsoleSockets {
  /** The Node server's `upgrade` listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Ends every console (shutdown). */
  closeAll(code: number, reason: string): void;
  /**
   * Ends the consoles whose caller's credential has since been revoked or has expired (or
   * whose user was disabled): revoking access must not leave an open console behind.
   */
  closeRevoked(): Promise<number>;
  readonly open: number;
}

/**
 * The console websocket endpoint, `GET /v1/console?ticket=...` (and `/api/console`). It is not
 * a Hono route: the upgrade is answered on the Node server's `upgrade` event, where the socket
 * is ours to refuse with a plain HTTP status or to hand to `ws`.
 *
 * - No valid ticket (unknown, used, expired, or its caller's credential since revoked): 401
 *   before any upgrade; a client without a ticket never gets a websocket.
 * - Valid ticket: the controller dials the agent's console first, and upgrades the client once
 *   the agent answered, so "open" means the console is there. When it cannot be opened the
 *   client is upgraded only to be told why, in a close frame a browser can read: 4404 VM gone,
 *   4409 VM not in a state with a console, 4503 host down or unreachable, 4502 the host refused,
 *   4504 the host did not answer in time.
 * - An open console ends with 4401 once its caller's credential is revoked or expires
 *   (`closeRevoked`, run every few seconds by the core).
 */
export function createConsoleSockets(ctx: Ctx): ConsoleSockets {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME,
    perMessageDeflate: false,
  });
  const live = new Set<{ client: WebSocket; agent: WebSocket; grant: ConsoleGrant }>();

  // An exception in an `upgrade` listener would take the whole controller down.
  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    upgradeConsole(req, socket, head).catch((error: unknown) => {
      ctx.log.error({ error, path: req.url?.split('?')[0] }, 'console upgrade failed');
      socket.destroy();
    });
  }

  async function upgradeConsole(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const started = performance.now();
    const requestId = requestIdFor(req.headers[REQUEST_ID_HEADER]);
    const log = ctx.log.child({ request_id: requestId });
    // The query holds the ticket: only the path is ever logged.
    const url = parseTarget(req.url);
    const access = (status: number, extra: Record<string, unknown> = {}) =>
      log.info(
        {
          method: req.method,
          path: url?.pathname ?? '(malformed)',
          status,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          ...extra,
        },
        'request',
      );
    socket.on('error', () => {});

    const refuse = (error: ApiError) => {
      access(error.status);
      const body = JSON.stringify(error.toBody(requestId));
      socket.once('finish', () => socket.destroy());
      socket.end(
        `HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n${REQUEST_ID_HEADER}: ${requestId}\r\n` +
          `Connection: close\r\n\r\n${body}`,
      );
    };
    if (!url) return refuse(new ApiError('validation', 'malformed request target'));
    if (!(CONSOLE_SOCKET_PATHS as readonly string[]).includes(url.pathname)) {
      return refuse(new ApiError('not_found', `no websocket at ${url.pathname}`));
    }
    if (
      req.method !== 'GET' ||
      req.headers.upgrade?.toLowerCase() !== 'websocket' ||
      !req.headers['sec-websocket-key']
    ) {
      return refuse(new ApiError('validation', 'not a websocket handshake'));
    }
    const grant = await spendConsoleTicket(ctx, url.searchParams.get('ticket') ?? '');
    if (!grant) {
      ctx.metrics.consoleConnections.inc({ kind: 'unknown', result: 'bad_ticket' });
      return refuse(
        new ApiError(
          'unauthenticated',
          'console ticket unknown, already used or expired: ask POST /v1/vms/{id}/console for a new one',
        ),
      );
    }
    const sessionLog = log.child({ vm_id: grant.vmId, console: grant.kind });

    const fail = (refusal: ConsoleRefusal) => {
      ctx.metrics.consoleConnections.inc({
        kind: grant.kind,
        result: `closed_${refusal.closeCode}`,
      });
      sessionLog.info({ code: refusal.closeCode, reason: refusal.reason }, 'console refused');
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (client) => {
        access(101, { close_code: refusal.closeCode });
        // Until its close frame comes, the client can still send a broken frame: ws reports it
        // as an 'error', which without a listener would be thrown and end the controller.
        client.on('error', () => {});
        closeSocket(client, refusal.closeCode, refusal.reason);
      });
    };

    let target: ConsoleTarget;
    try {
      target = await resolveConsoleTarget(ctx, grant);
    } catch (error) {
      if (error instanceof ConsoleRefusal) return fail(error);
      sessionLog.error({ error }, 'console failed');
      return fail(
        new ConsoleRefusal(
          StandardClose.internalError,
          `internal error; see the controller log (${requestId})`,
        ),
      );
    }
    dialAgent(
      target,
      { requestId, timeoutMs: ctx.config.agentTimeoutMs, maxFrame: MAX_FRAME },
      socket,
      {
        refused: fail,
        connected: (agent, early) => {
          // ws refuses (without calling back) a socket that can no longer be read or written:
          // the agent's console would stay open with no one relaying it.
          if (socket.destroyed || !socket.readable || !socket.writable) {
            return agent.terminate();
          }
          wss.handleUpgrade(req, socket, head, (client) => {
            access(101);
            startSession(client, agent, early, grant, target, sessionLog);
          });
        },
      },
    );
  }

  function startSession(
    client: WebSocket,
    agent: WebSocket,
    early: EarlyMessage[],
    grant: ConsoleGrant,
    target: ConsoleTarget,
    log: Logger,
  ) {
    const entry = { client, agent, grant };
    live.add(entry);
    ctx.metrics.consoleConnections.inc({ kind: grant.kind, result: 'opened' });
    const opened = Date.now();
    log.info(
      {
        host_id: target.hostId,
        ticket_request_id: grant.requestId,
        user_id: grant.principal.userId,
        api_key_id: grant.principal.apiKeyId,
      },
      'console session opened',
    );
    relaySockets(client, agent, (end) => {
      live.delete(entry);
      log.info(
        {
          closed_by: end.closedBy,
          code: end.code,
          bytes_to_agent: end.bytesToAgent,
          bytes_to_client: end.bytesToClient,
          duration_ms: Date.now() - opened,
        },
        'console session closed',
      );
    });
    // What the agent said while the client's upgrade was being answered (zlogin's banner).
    for (const m of early) client.send(m.data, { binary: m.binary });
  }

  return {
    handleUpgrade,
    closeAll(code, reason) {
      for (const { client, agent } of live) {
        closeSocket(client, code, reason);
        closeSocket(agent, StandardClose.normal, reason);
      }
    },
    async closeRevoked() {
      let closed = 0;
      for (const { client, agent, grant } of live) {
        if (await isPrincipalCurrent(ctx, grant.principal)) continue;
        closed++;
        closeSocket(client, CloseCode.unauthenticated, REVOKED);
        closeSocket(agent, StandardClose.normal, REVOKED);
      }
      return closed;
    },
    get open() {
      return live.size;
    },
  };
}

/** The request target as a URL, or null when it is not one (`//`, `//[`: `new URL` throws). */
function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://controller');
  } catch {
    return null;
  }
}
