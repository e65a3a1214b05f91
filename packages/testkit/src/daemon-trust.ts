import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';

/*
 * How tests, benchmarks and the dev fleet trust a daemon that serves its self-signed
 * certificate: as its own CA (the certificate names 127.0.0.1, where testkit's daemons
 * listen), the same way an operator's CLI does with APIARY_CA. Names are checked, chains are
 * checked: nothing here switches verification off.
 */

/** Where a daemon keeps its self-signed certificate (`DATA_DIR/tls/cert.pem`). */
export function certificateFile(dataDir: string): string {
  return join(dataDir, 'tls', 'cert.pem');
}

/** Where a daemon keeps the private key of that certificate (`DATA_DIR/tls/key.pem`). */
export function certificateKeyFile(dataDir: string): string {
  return join(dataDir, 'tls', 'key.pem');
}

/** `sha256:<hex>` of a PEM certificate file (what `--controller-fingerprint` takes). */
export function fingerprintOfFile(certFile: string): string {
  const cert = new X509Certificate(readFileSync(certFile));
  return `sha256:${cert.fingerprint256.replaceAll(':', '').toLowerCase()}`;
}

/**
 * undici's own `fetch`, never the global one, in a process that loads undici: loading undici
 * installs its dispatcher as the global one, which Node 20's built-in fetch (an older undici)
 * then uses, and the two disagree (a request with its own content-length header fails).
 */
export const plainFetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
  undiciFetch(input as never, init as never)) as unknown as typeof fetch;

/**
 * A `fetch` trusting the certificate in `certFile` once it exists (the daemon makes it at its
 * first start): until then it throws, like a daemon that does not listen yet.
 */
export class CertificateFetch {
  private agent: Agent | null = null;
  private pem: string | null = null;

  constructor(private readonly certFile: string) {}

  readonly fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const dispatcher = this.dispatcher();
    return undiciFetch(input as never, { ...(init as object), dispatcher } as never);
  }) as unknown as typeof fetch;

  /** Whether the certificate exists yet. */
  get ready(): boolean {
    return existsSync(this.certFile);
  }

  /**
   * Called once the program has stopped. `destroy`, not `close`: close waits for every response
   * body to be read, and a test that left one unread (a large asset it only checked the status
   * of) would hold the socket paused, and the fleet's teardown, forever.
   */
  async close(): Promise<void> {
    await this.agent?.destroy();
    this.agent = null;
  }

  private dispatcher(): Agent {
    const pem = readFileSync(this.certFile, 'utf8');
    // A restart may have made a new certificate (a fresh data dir): follow the file.
    if (!this.agent || pem !== this.pem) {
      void this.agent?.close();
      this.pem = pem;
      this.agent = new Agent({ connect: { ca: pem } });
    }
    return this.agent;
  }
}
