import { ApiError } from '@apiary/protocol';

/** JSON bodies larger than this are refused before parsing. */
export const JSON_BODY_LIMIT = 1024 * 1024;

/** Reads a request body as text, refusing it as soon as it exceeds `limit` bytes. */
export async function readLimitedText(req: Request, limit = JSON_BODY_LIMIT): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) throw new ApiError('payload_too_large', `request body over ${limit} bytes`);
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new ApiError('payload_too_large', `request body over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The Node request behind a Hono request, when served by @hono/node-server. */
export interface NodeIncoming {
  headers: Record<string, string | string[] | undefined>;
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

/**
 * Reads the body straight from the Node request: building a WHATWG Request (and its stream)
 * just to read a small JSON body costs more than everything else a heartbeat does.
 */
async function readNodeBody(incoming: NodeIncoming, limit: number): Promise<string> {
  const declared = Number(incoming.headers['content-length'] ?? '0');
  if (declared > limit) throw new ApiError('payload_too_large', `request body over ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += chunk.length;
    if (size > limit) throw new ApiError('payload_too_large', `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJsonBody(req: Request, incoming?: unknown): Promise<unknown> {
  const text = isNodeIncoming(incoming)
    ? await readNodeBody(incoming, JSON_BODY_LIMIT)
    : await readLimitedText(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('validation', 'request body is not valid JSON');
  }
}
