import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';

/**
 * A `fetch` that connects only to `addresses`, the ones `checkAgentTarget` resolved and checked,
 * whatever the URL's host name resolves to by the time the connection is made. The URL keeps
 * its name, so the Host header and (for https) the certificate check still use it.
 */
export function pinnedFetch(addresses: string[]): typeof fetch {
  const pinned = addresses.map((address) => ({ address, family: isIP(address) }));
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) return callback(null, pinned);
    const first = pinned[0];
    if (!first) return callback(new Error('no address to connect to'), '', 0);
    callback(null, first.address, first.family);
  };
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const signal = init?.signal ?? undefined;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const req = transport.request(
        url,
        { method: request.method, headers: Object.fromEntries(request.headers), lookup, signal },
        (res) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
              headers.append(name, v);
            }
          }
          const status = res.statusCode ?? 502;
          const empty = status === 204 || status === 304 || request.method === 'HEAD';
          if (empty) res.resume();
          resolve(
            new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
              status,
              statusText: res.statusMessage,
              headers,
            }),
          );
        },
      );
      // The same shapes as the global fetch: the abort reason (a timeout stays a TimeoutError),
      // else a TypeError whose cause carries the socket error's code (ECONNREFUSED, ...).
      req.on('error', (error) =>
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error })),
      );
      req.end(body);
    });
  };
}
