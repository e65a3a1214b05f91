import { ApiError } from '@apiary/protocol';

/** The Node request behind a Hono request, when served by @hono/node-server. */
export interface NodeIncoming {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  [Symbol.asyncIterator](): AsyncIterator<Buffer>;
}

function isNodeIncoming(value: unknown): value is NodeIncoming {
  return (
    typeof value === 'object' &&
    value !== null &&
    Symbol.asyncIterator in value &&
    typeof (value as { headers?: unknown }).headers === 'object'
  );
}

function tooLarge(limit: number): ApiError {
  return new ApiError('payload_too_large', `request body over ${limit} bytes`);
}

/** Collects chunks, refusing as soon as their total exceeds `limit`. */
async function collect(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge(limit);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

async function* readerChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Reads a JSON body of at most `limit` bytes. A declared length over the limit is refused
 * before anything is read. Under @hono/node-server the Node request is read directly: building
 * a WHATWG Request and its stream for a small body costs more than the rest of a heartbeat.
 */
export async function readJsonBody(
  req: Request,
  incoming: unknown,
  limit: number,
): Promise<unknown> {
  if (isNodeIncoming(incoming)) return readNodeJsonBody(incoming, limit);
  refuseDeclaredLength(req.headers.get('content-length'), limit);
  const bytes = req.body ? await collect(readerChunks(req.body), limit) : Buffer.alloc(0);
  return parseJson(bytes);
}

/** `readJsonBody` for a Node request (the fast lane has no WHATWG Request at all). */
export async function readNodeJsonBody(incoming: NodeIncoming, limit: number): Promise<unknown> {
  const declared = incoming.headers['content-length'];
  refuseDeclaredLength(typeof declared === 'string' ? declared : null, limit);
  return parseJson(await collect(incoming, limit));
}

function refuseDeclaredLength(declared: string | null, limit: number): void {
  if (Number(declared ?? '0') > limit) throw tooLarge(limit);
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('validation', 'request body is not valid JSON');
  }
}
