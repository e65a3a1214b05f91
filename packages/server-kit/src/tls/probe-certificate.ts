import { connect } from 'node:tls';
import { peerFingerprint } from './fingerprint.js';

/**
 * Opens a TLS connection to `host:port`, reads the certificate the peer presents and closes:
 * no request is written, so no credential can reach a peer nobody has vouched for yet. How an
 * operator learns an agent's fingerprint from the controller before pinning it (trust on first
 * use, with a person comparing it to `apiary-agent info`). Rejects when the peer does not
 * complete a TLS handshake (it speaks plain HTTP, or nothing).
 */
export function probeCertificate(
  host: string,
  port: number,
  timeoutMs: number,
  /** The name to ask for (SNI) when `host` is an address resolved from it. */
  servername?: string,
): Promise<{ fingerprint: string }> {
  const sni = servername ?? host;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // Nothing is verified here: the fingerprint is shown to a person, never trusted as is.
      rejectUnauthorized: false,
      ...(/^[\d.]+$|:/.test(sni) ? {} : { servername: sni }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        Object.assign(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      );
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const fingerprint = peerFingerprint(socket.getPeerCertificate());
      socket.destroy();
      if (fingerprint) resolve({ fingerprint });
      else reject(new Error(`${host}:${port} presented no certificate`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}
