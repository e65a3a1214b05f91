import type { Duplex } from 'node:stream';
import { CloseCode, REQUEST_ID_HEADER } from '@apiary/protocol';
import { certificateMismatchIn } from '@apiary/server-kit';
import WebSocket from 'ws';
import { ConsoleRefusal, type ConsoleTarget } from '../services/consoles/console-access.js';

/** A frame the agent sent before the client's upgrade was answered. */
export interface EarlyMessage {
  data: Buffer;
  binary: boolean;
}

/**
 * Opens the agent's console websocket with the agent key (never seen by the client). Messages
 * that arrive before the client is upgraded are kept and handed over; a client that goes away
 * meanwhile abandons the dial.
 */
export function dialAgent(
  target: ConsoleTarget,
  o: { requestId: string; timeoutMs: number; maxFrame: number },
  clientSocket: Duplex,
  on: {
    refused: (r: ConsoleRefusal) => void;
    connected: (agent: WebSocket, early: EarlyMessage[]) => void;
  },
): void {
  const agent = new WebSocket(target.url, {
    headers: { ...target.headers, [REQUEST_ID_HEADER]: o.requestId },
    // wss: the agent's pinned certificate is checked before the upgrade request is written.
    ...(target.agent ? { agent: target.agent } : {}),
    handshakeTimeout: o.timeoutMs,
    maxPayload: o.maxFrame,
    // Keystrokes and RFB on a LAN: compressing would cost CPU for little.
    perMessageDeflate: false,
  });
  const early: EarlyMessage[] = [];
  const keep = (data: Buffer, binary: boolean) => early.push({ data, binary });
  let settled = false;
  // The client went away while we dialed: drop both ends.
  const abandon = () => {
    if (settled) return;
    settled = true;
    agent.terminate();
    clientSocket.destroy();
  };
  clientSocket.once('close', abandon);
  clientSocket.once('end', abandon);
  const settle = () => {
    settled = true;
    clientSocket.off('close', abandon);
    clientSocket.off('end', abandon);
  };
  agent.on('message', keep);
  agent.once('open', () => {
    if (settled) return;
    settle();
    agent.off('message', keep);
    on.connected(agent, early);
  });
  agent.once('unexpected-response', (_req, res) => {
    res.resume();
    agent.terminate();
    if (settled) return;
    settle();
    on.refused(refusalForStatus(res.statusCode ?? 502));
  });
  agent.on('error', (error: Error & { code?: string }) => {
    if (settled) return;
    settle();
    const timedOut = /timed out/i.test(error.message);
    const mismatch = certificateMismatchIn(error);
    on.refused(
      mismatch
        ? new ConsoleRefusal(
            CloseCode.unavailable,
            `the host's certificate changed (it presents ${mismatch.presented ?? 'none'}); an operator must accept it`,
          )
        : timedOut
          ? new ConsoleRefusal(CloseCode.timeout, 'the host did not answer in time')
          : new ConsoleRefusal(
              CloseCode.unavailable,
              `the host is unreachable (${error.code ?? 'connection failed'})`,
            ),
    );
  });
}

function refusalForStatus(status: number): ConsoleRefusal {
  if (status === 404)
    return new ConsoleRefusal(CloseCode.notFound, 'the host does not know this VM');
  if (status === 409)
    return new ConsoleRefusal(CloseCode.conflict, 'the host says the VM has no console now');
  if (status === 401 || status === 403) {
    return new ConsoleRefusal(
      CloseCode.upstreamFailed,
      `the host refused the controller's key (HTTP ${status})`,
    );
  }
  return new ConsoleRefusal(
    CloseCode.upstreamFailed,
    `the host refused the console (HTTP ${status})`,
  );
}
