import { ApiError } from '@apiary/protocol';

/** The Node request behind a Hono request, when served by @hono/node-server (or the fast lane). */
export interface NodeIncoming {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'end', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): unknown;
  readonly readableEnded?: boolean;
}

function isNodeIncoming(value: unknown): value is NodeIncoming {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { on?: unknown }).on === 'function' &&
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
  return parseJson(await collectIncoming(incoming, limit));
}

/**
 * `collect` for a Node request, by its events: a heartbeat's body is one chunk, and a stream's
 * async iterator (a generator, its promises and end-of-stream listeners) cost more than reading
 * it. Past the limit the request is destroyed, as leaving an iterator early does.
 */
function collectIncoming(incoming: NodeIncoming, limit: number): Promise<Buffer> {
  // Read already (nothing in this process does): no 'end' would come again.
  if (incoming.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const settle = (error?: Error) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      if (error) reject(error);
      else resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) {
        parts.push(chunk);
        return;
      }
      settle(tooLarge(limit));
      incoming.destroy();
    };
    const onEnd = () => settle();
    // A client gone mid-body ends the read with an error ('aborted'), never a silent wait.
    const onError = (error: Error) => settle(error);
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
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
