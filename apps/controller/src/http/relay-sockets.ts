import { CloseCode, StandardClose } from '@apiary/protocol';
import type { RawData, WebSocket } from 'ws';

/** Bytes queued towards one side before the other side is no longer read. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Idle consoles are normal; dead peers are not: a peer that misses a ping round is dropped. */
const PING_EVERY_MS = 30_000;

export interface RelayEnd {
  /** Who closed first, and how (the code as received). */
  closedBy: 'client' | 'agent';
  code: number;
  bytesToAgent: number;
  bytesToClient: number;
}

/**
 * Relays websocket frames both ways between a client and an agent, unchanged (binary stays
 * binary, text stays text). A side that queues more than HIGH_WATER bytes stops the other side
 * from being read until it drains, so a slow browser cannot make the controller buffer a
 * whole VNC stream. When one side closes, the other is closed with the same code and reason
 * when that code may be sent on the wire.
 */
export function relaySockets(
  client: WebSocket,
  agent: WebSocket,
  onEnd: (end: RelayEnd) => void,
): void {
  const counts = { bytesToAgent: 0, bytesToClient: 0 };
  let ended = false;
  const finish = (closedBy: RelayEnd['closedBy'], code: number) => {
    if (ended) return;
    ended = true;
    clearInterval(pinger);
    onEnd({ closedBy, code, ...counts });
  };

  forward(client, agent, (n) => {
    counts.bytesToAgent += n;
  });
  forward(agent, client, (n) => {
    counts.bytesToClient += n;
  });

  client.on('close', (code, reason) => {
    closeSocket(agent, sendableCode(code, StandardClose.normal), reason.toString());
    finish('client', code);
  });
  agent.on('close', (code, reason) => {
    // 1006: the TCP connection to the agent dropped without a close frame.
    const sent =
      code === StandardClose.abnormal
        ? CloseCode.upstreamFailed
        : sendableCode(code, StandardClose.normal);
    closeSocket(
      client,
      sent,
      code === StandardClose.abnormal ? 'connection to the host was lost' : reason.toString(),
    );
    finish('agent', code);
  });
  // Errors are followed by 'close'; without a listener they would be thrown.
  client.on('error', () => {});
  agent.on('error', () => {});

  const alive = new Map<WebSocket, boolean>([
    [client, true],
    [agent, true],
  ]);
  for (const ws of alive.keys()) ws.on('pong', () => alive.set(ws, true));
  const pinger = setInterval(() => {
    for (const [ws, ok] of alive) {
      if (!ok) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      if (ws.readyState === ws.OPEN) ws.ping();
    }
  }, PING_EVERY_MS);
  pinger.unref();
}

function forward(from: WebSocket, to: WebSocket, count: (n: number) => void) {
  let queued = 0;
  from.on('message', (data: RawData, isBinary: boolean) => {
    if (to.readyState !== to.OPEN) return;
    const size = byteLength(data);
    queued += size;
    count(size);
    to.send(data, { binary: isBinary }, () => {
      queued -= size;
      if (from.isPaused && queued < LOW_WATER) from.resume();
    });
    if (queued > HIGH_WATER && !from.isPaused) from.pause();
  });
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

/** A code valid in a close frame (1005 and StandardClose.abnormal are only ever reported, never sent). */
export function sendableCode(code: number, fallback: number): number {
  const valid =
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999);
  return valid ? code : fallback;
}

/** Closes a websocket with a reason cut to the 123 bytes a close frame can carry. */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) return;
  let bytes = Buffer.from(reason, 'utf8');
  if (bytes.length > 123) bytes = bytes.subarray(0, 120);
  const text = bytes.toString('utf8').replace(/\uFFFD+$/, '');
  if (ws.readyState === ws.CONNECTING) ws.terminate();
  else ws.close(code, text.length < reason.length ? `${text.trimEnd()}…` : text);
}
