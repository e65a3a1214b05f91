import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { serve } from '@hono/node-server';
import type { FastLane } from '../fast-lane.js';
import type { Logger } from '../logger.js';
import { fingerprintOf } from './fingerprint.js';

type FetchCallback = Parameters<typeof serve>[0]['fetch'];

export interface ServeDaemonOptions {
  fetch: FetchCallback;
  hostname: string;
  port: number;
  /** PEM files to serve HTTPS with; null serves plain HTTP. */
  tls: { certFile: string; keyFile: string } | null;
  log: Logger;
  onListening?: (info: AddressInfo) => void;
  /** Routes answered on Node's request event before hono (see fast-lane.ts). */
  fastLane?: FastLane;
}

export interface ServedDaemon {
  server: Server | HttpsServer;
  scheme: 'http' | 'https';
  /** The fingerprint of the certificate served now; null over plain HTTP. */
  fingerprint(): string | null;
  /**
   * Re-reads the certificate and key files and serves them to new connections (what SIGHUP
   * does). A pair that does not load is refused and the current one kept: a half-renewed
   * certificate never takes a daemon off the air. Returns whether the new pair was taken.
   */
  reload(): boolean;
}

/**
 * Serves a Hono app over HTTP or HTTPS (node:https with @hono/node-server) and reloads the
 * certificate on SIGHUP, without a restart and without dropping open connections.
 */
export function serveDaemon(o: ServeDaemonOptions): ServedDaemon {
  let current = o.tls ? loadPair(o.tls) : null;
  const server = serve(
    {
      fetch: o.fetch,
      hostname: o.hostname,
      port: o.port,
      // The server is made here so that the fast lane, when there is one, sees each request
      // before hono's listener does.
      createServer: ((serverOptions: object, honoListener: RequestListener) => {
        const listener = withFastLane(o.fastLane, honoListener);
        return current
          ? createHttpsServer(serverOptions, listener)
          : createHttpServer(serverOptions, listener);
      }) as never,
      ...(current ? { serverOptions: { cert: current.cert, key: current.key } } : {}),
    },
    (info) => o.onListening?.(info),
  ) as Server | HttpsServer;
  // Node ends any request still running after 5 minutes by default: that would cut image
  // uploads and VM disk transfers, which stream for as long as their bytes take. Requests are
  // authenticated before their body is read, and headers must still arrive within
  // headersTimeout, so an idle stranger cannot hold a connection open this way.
  server.requestTimeout = 0;
  const served: ServedDaemon = {
    server,
    scheme: current ? 'https' : 'http',
    fingerprint: () => current?.fingerprint ?? null,
    reload() {
      if (!o.tls || !current) {
        o.log.info('SIGHUP: serving plain HTTP, no certificate to reload');
        return false;
      }
      let next: LoadedPair;
      try {
        next = loadPair(o.tls);
        // Refuses a key that does not match the certificate, or unreadable PEM.
        (server as HttpsServer).setSecureContext({ cert: next.cert, key: next.key });
      } catch (error) {
        o.log.error(
          { cert_file: o.tls.certFile, error: (error as Error).message },
          'certificate reload failed; still serving the previous certificate',
        );
        return false;
      }
      const previous = current.fingerprint;
      current = next;
      o.log.info(
        { cert_file: o.tls.certFile, fingerprint: next.fingerprint, previous },
        'certificate reloaded',
      );
      return true;
    },
  };
  const onHangup = () => served.reload();
  process.on('SIGHUP', onHangup);
  server.once('close', () => process.off('SIGHUP', onHangup));
  return served;
}

function withFastLane(lane: FastLane | undefined, next: RequestListener): RequestListener {
  if (!lane) return next;
  return (req, res) => {
    if (!lane(req, res)) next(req, res);
  };
}

interface LoadedPair {
  cert: Buffer;
  key: Buffer;
  fingerprint: string;
}

function loadPair(files: { certFile: string; keyFile: string }): LoadedPair {
  const cert = readFileSync(files.certFile);
  const key = readFileSync(files.keyFile);
  // Fails here, with a clear message, rather than at the first handshake.
  createSecureContext({ cert, key });
  return { cert, key, fingerprint: fingerprintOf(cert) };
}
