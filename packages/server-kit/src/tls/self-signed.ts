// @peculiar/x509 resolves its ASN.1 helpers through tsyringe, which needs the Reflect metadata
// API; the polyfill only adds functions to the global Reflect object.
import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

export interface SelfSignedOptions {
  /** The subject's common name, e.g. `apiary-agent sim-host-1`. */
  commonName: string;
  /** DNS names and IP addresses the certificate is valid for (subjectAltName). */
  names: readonly string[];
  /** Default 10 years: a pinned certificate that expires forces a re-pin on every host. */
  validDays?: number;
  now?: Date;
}

export interface CertificateAndKey {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key: a secret, written 0600, never logged. */
  key: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * A fresh ECDSA P-256 key and a self-signed certificate for a TLS server. ECDSA keeps the key
 * generation instant (an RSA key takes a noticeable moment at a daemon's first start) and is
 * accepted by every client Apiary has (Node.js, curl, browsers).
 */
export async function createSelfSignedCertificate(
  options: SelfSignedOptions,
): Promise<CertificateAndKey> {
  // Node's WebCrypto is the DOM `Crypto` @peculiar/x509 asks for (typed apart in @types/node).
  const crypto = webcrypto as never;
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 5 * 60_000); // tolerate clocks a little behind
  const notAfter = new Date(now.getTime() + (options.validDays ?? 3650) * 86_400_000);
  // A positive serial of 16 random bytes (RFC 5280: at most 20 octets, non-negative).
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: [{ CN: [options.commonName] }],
      notBefore,
      notAfter,
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          options.names.map((n) =>
            isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n },
          ),
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  return {
    cert: cert.toString('pem'),
    key: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
