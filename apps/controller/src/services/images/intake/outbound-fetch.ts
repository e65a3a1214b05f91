import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { ApiError } from '@apiary/protocol';
import { checkAgentTarget, type TargetPolicy } from '../../../agents/agent-target.js';
import { pinnedLookup } from '../../../agents/pinned-lookup.js';

/*
 * Downloads from URLs people give the controller (cloud images, box registries). Every URL,
 * redirects included, passes the same target policy as agent addresses (agent-target.ts: no
 * loopback or link-local unless the operator allows them), and the connection goes only to the
 * addresses that were checked. Every download is bounded in bytes and in time.
 */

export interface FetchLimits {
  policy: TargetPolicy;
  /** Bytes the body may have at most (refused by Content-Length first, then as it arrives). */
  maxBytes: number;
  /** The whole exchange, resumes included. */
  timeoutMs: number;
  /** Extra request headers (a registry's bearer token: never logged). */
  headers?: Record<string, string>;
  /** Stops the exchange from outside (the controller shutting down); its reason is thrown. */
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 5;
/** Resumes of a broken download (HTTP Range) before it is given up. */
const MAX_RESUMES = 3;

/** What the server answered, its body still to read. */
interface Answer {
  res: IncomingMessage;
  url: string;
}

function timeoutError(url: string, timeoutMs: number): ApiError {
  return new ApiError('timeout', `${hostOf(url)} did not answer within ${timeoutMs} ms`, {
    forClient: true,
    retryable: true,
  });
}

function hostOf(url: string): string {
  return new URL(url).host;
}

/** GET `url`, following redirects (each one checked against the policy). */
async function get(
  url: string,
  limits: FetchLimits,
  signal: AbortSignal,
  headers: Record<string, string>,
): Promise<Answer> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const addresses = await checkAgentTarget(current, limits.policy);
    const target = new URL(current);
    const lib = target.protocol === 'https:' ? https : http;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = lib.get(
        target,
        {
          headers: { 'user-agent': 'apiary-controller', ...headers },
          lookup: pinnedLookup(addresses),
          signal,
        },
        resolve,
      );
      req.on('error', reject);
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      const next = new URL(res.headers.location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw upstream(url, `redirected to a ${next.protocol} URL`);
      // A token is for the registry that was named, not for wherever it redirects.
      if (next.origin !== new URL(url).origin) delete headers.authorization;
      current = next.href;
      continue;
    }
    return { res, url: current };
  }
  throw upstream(url, `more than ${MAX_REDIRECTS} redirects`);
}

function upstream(url: string, what: string): ApiError {
  return new ApiError('upstream_failed', `${hostOf(url)}: ${what}`, { forClient: true });
}

/** Runs `work` under the limits' deadline; a refusal or timeout says which host. */
async function withDeadline<T>(
  url: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  outer?: AbortSignal,
): Promise<T> {
  outer?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const stop = () => controller.abort();
  outer?.addEventListener('abort', stop, { once: true });
  try {
    return await work(controller.signal);
  } catch (error) {
    if (outer?.aborted) throw outer.reason;
    if (controller.signal.aborted) throw timeoutError(url, timeoutMs);
    if (error instanceof ApiError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw upstream(url, `${code ?? (error as Error).message}`);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', stop);
  }
}

/** Reads a small JSON document (registry metadata, a search answer). */
export async function fetchJson(url: string, limits: FetchLimits): Promise<unknown> {
  return withDeadline(
    url,
    limits.timeoutMs,
    async (signal) => {
      const { res } = await get(url, limits, signal, {
        accept: 'application/json',
        ...limits.headers,
      });
      const status = res.statusCode ?? 0;
      if (status === 404) {
        res.resume();
        throw new ApiError('not_found', `${hostOf(url)} has nothing at ${new URL(url).pathname}`);
      }
      if (status !== 200) {
        res.resume();
        throw upstream(url, `answered HTTP ${status}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > limits.maxBytes) {
          res.destroy();
          throw upstream(url, `answered more than ${limits.maxBytes} bytes of metadata`);
        }
        chunks.push(chunk as Buffer);
      }
      try {
        return JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw upstream(url, 'answered something that is not JSON');
      }
    },
    limits.signal,
  );
}

export interface DownloadProgress {
  received: number;
  /** Null when the server does not say. */
  total: number | null;
}

/**
 * Downloads `url` into the file `dest` (created or appended to). A connection that breaks
 * part-way is resumed with `Range` (held to the first answer's ETag or Last-Modified through
 * `If-Range`, so a file that changed meanwhile starts over instead of being spliced).
 */
export async function downloadToFile(
  url: string,
  dest: string,
  limits: FetchLimits & { onProgress?: (p: DownloadProgress) => void },
): Promise<{ bytes: number }> {
  return withDeadline(
    url,
    limits.timeoutMs,
    async (signal) => {
      let validator: string | undefined;
      let total: number | null = null;
      let lastError: unknown;
      for (let attempt = 0; attempt <= MAX_RESUMES; attempt++) {
        const have: number = await stat(dest).then(
          (s) => s.size,
          () => 0,
        );
        const headers: Record<string, string> = { ...limits.headers };
        if (have > 0) {
          headers.range = `bytes=${have}-`;
          if (validator) headers['if-range'] = validator;
        }
        const { res } = await get(url, limits, signal, headers);
        const status = res.statusCode ?? 0;
        if (status === 416 && total !== null && have === total) {
          res.resume();
          return { bytes: have };
        }
        if (status !== 200 && status !== 206) {
          res.resume();
          throw status === 404
            ? new ApiError('not_found', `${hostOf(url)} has nothing at ${new URL(url).pathname}`)
            : upstream(url, `answered HTTP ${status}`);
        }
        const resumed = status === 206;
        const start: number = resumed ? have : 0;
        const length = Number(res.headers['content-length']);
        total = Number.isSafeInteger(length) ? start + length : null;
        validator ??= (res.headers.etag as string | undefined) ?? res.headers['last-modified'];
        if (total !== null && total > limits.maxBytes) {
          res.destroy();
          throw tooLarge(url, limits.maxBytes);
        }
        let received: number = start;
        const meter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            received += chunk.length;
            if (received > limits.maxBytes) return done(tooLarge(url, limits.maxBytes));
            limits.onProgress?.({ received, total });
            done(null, chunk);
          },
        });
        await keepWhatArrives(res, meter, createWriteStream(dest, { flags: resumed ? 'a' : 'w' }));
        if (res.complete && (total === null || received === total)) return { bytes: received };
        // A broken connection: what arrived is on disk, the next attempt asks for the rest.
        lastError = upstream(url, 'the connection broke before the download ended');
      }
      throw lastError instanceof ApiError
        ? lastError
        : upstream(url, `the download broke ${MAX_RESUMES + 1} times`);
    },
    limits.signal,
  );
}

/**
 * Writes the response through `meter` into `file`. A connection that breaks ends the file
 * cleanly with the bytes that arrived (a pipeline would discard what it still buffered); a
 * refusal by the meter (too large) or a write error rejects.
 */
function keepWhatArrives(res: IncomingMessage, meter: Transform, file: WriteStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      res.destroy();
      file.destroy();
      reject(error);
    };
    meter.on('error', fail);
    file.on('error', fail);
    file.on('finish', resolve);
    res.on('error', () => {});
    res.on('close', () => {
      if (!res.complete) meter.end();
    });
    res.pipe(meter).pipe(file);
  });
}

function tooLarge(url: string, maxBytes: number): ApiError {
  return new ApiError(
    'payload_too_large',
    `${hostOf(url)} offers more than the ${maxBytes} bytes an image may have (--max-image-bytes)`,
  );
}
