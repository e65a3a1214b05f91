import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf } from './fingerprint.js';
import { createSelfSignedCertificate, type SelfSignedOptions } from './self-signed.js';

/** Where a daemon keeps the certificate it made for itself: `DATA_DIR/tls/{cert,key}.pem`. */
export function selfSignedPaths(dataDir: string): { certFile: string; keyFile: string } {
  const dir = join(dataDir, 'tls');
  return { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
}

export interface EnsuredCertificate {
  certFile: string;
  keyFile: string;
  fingerprint: string;
  /** True on the start that made it (the daemon prints the fingerprint then). */
  created: boolean;
}

/**
 * The daemon's self-signed certificate: made once, at the first start, then reused for as long
 * as the files exist, so its fingerprint (what agents and the controller pin) stays the same
 * across restarts. Both files are 0600 in a 0700 directory; each is written to a temporary
 * name first and renamed, so a crash never leaves half a key.
 */
export async function ensureSelfSignedCertificate(
  dataDir: string,
  options: SelfSignedOptions,
): Promise<EnsuredCertificate> {
  const { certFile, keyFile } = selfSignedPaths(dataDir);
  if (existsSync(certFile) && existsSync(keyFile)) {
    // An operator may have loosened them by hand; the key is a secret.
    chmodSync(keyFile, 0o600);
    return {
      certFile,
      keyFile,
      fingerprint: fingerprintOf(readFileSync(certFile)),
      created: false,
    };
  }
  mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  const made = await createSelfSignedCertificate(options);
  writePrivate(keyFile, made.key);
  writePrivate(certFile, made.cert);
  return { certFile, keyFile, fingerprint: fingerprintOf(made.cert), created: true };
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
