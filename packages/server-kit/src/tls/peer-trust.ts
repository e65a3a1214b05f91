import type { TLSSocket } from 'node:tls';
import { peerFingerprint } from './fingerprint.js';

/**
 * What a daemon accepts from the peer it connects to over HTTPS.
 * `system`: a certificate from the system's CAs, for the name in the URL (Node's default).
 * `ca`: a certificate issued by (or equal to) one in this PEM bundle, for the name in the URL.
 * `fingerprint`: exactly the certificate with this SHA-256 fingerprint, whatever names it
 * carries (the pin of a self-signed certificate; normal form, see `normalizeFingerprint`).
 */
export type PeerTrust =
  | { kind: 'system' }
  | { kind: 'ca'; ca: string | Buffer }
  | { kind: 'fingerprint'; fingerprint: string };

/** The peer presented another certificate than the pinned one. */
export class CertificateMismatchError extends Error {
  readonly code = 'ERR_APIARY_CERTIFICATE_CHANGED';
  constructor(
    readonly expected: string,
    readonly presented: string | null,
    readonly peer: string,
  ) {
    super(
      `the certificate of ${peer} is ${presented ?? 'missing'}, not the pinned ${expected}: ` +
        'certificate changed (refused; nothing was sent)',
    );
    this.name = 'CertificateMismatchError';
  }
}

/** `tls.connect` options for a trust: what Node verifies by itself. */
export function tlsOptionsFor(trust: PeerTrust): {
  ca?: string | Buffer;
  rejectUnauthorized: boolean;
} {
  if (trust.kind === 'ca') return { ca: trust.ca, rejectUnauthorized: true };
  // A pinned self-signed certificate fails chain verification by construction: the pin below
  // replaces it (and is stricter: one certificate, not any a CA signed).
  if (trust.kind === 'fingerprint') return { rejectUnauthorized: false };
  return { rejectUnauthorized: true };
}

/**
 * The check Node cannot do by itself: after the handshake and before a byte of the request is
 * written, the peer's certificate must be the pinned one. Returns the refusal, or null.
 */
export function checkPinnedPeer(
  socket: TLSSocket,
  trust: PeerTrust,
  peer: string,
): CertificateMismatchError | null {
  if (trust.kind !== 'fingerprint') return null;
  const presented = peerFingerprint(socket.getPeerCertificate());
  return presented === trust.fingerprint
    ? null
    : new CertificateMismatchError(trust.fingerprint, presented, peer);
}

/** The mismatch in an error from fetch or ws (it may be the cause of a `fetch failed`). */
export function certificateMismatchIn(error: unknown): CertificateMismatchError | null {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof CertificateMismatchError) return e;
  }
  return null;
}
