import { X509Certificate } from 'node:crypto';

/**
 * The SHA-256 fingerprint of a certificate in Apiary's normal form (`sha256:<64 hex digits>`,
 * see `normalizeFingerprint` in protocol): the digest of its DER encoding, the same value
 * `openssl x509 -noout -fingerprint -sha256` prints.
 */
export function fingerprintOf(certificate: string | Buffer | X509Certificate): string {
  const cert =
    certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  return `sha256:${cert.fingerprint256.replaceAll(':', '').toLowerCase()}`;
}

/** The fingerprint of a peer certificate as `tls.TLSSocket#getPeerCertificate()` returns it. */
export function peerFingerprint(peer: { fingerprint256?: string } | undefined): string | null {
  const colons = peer?.fingerprint256;
  return colons ? `sha256:${colons.replaceAll(':', '').toLowerCase()}` : null;
}
