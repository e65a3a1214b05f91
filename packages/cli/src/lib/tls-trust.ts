import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * How the CLI trusts the controller's certificate over HTTPS: the system's CAs (a certificate
 * from a public or company CA), a CA file (`APIARY_CA`, `--ca`, or the profile's: a CA bundle,
 * or the controller's own self-signed certificate, which names the addresses it serves), or
 * nothing at all with `--insecure`, which is loud about it.
 */
export interface CliTrust {
  /** Path of a PEM file to trust as CA. */
  caFile?: string;
  insecure: boolean;
}

export const INSECURE_WARNING =
  "WARNING: --insecure: the controller's certificate is NOT checked. Anyone on the network " +
  'path can read and change this session, credentials included. Use APIARY_CA=FILE instead.';

/** `connect` options for node:tls (undici, ws). */
export function tlsOptions(trust: CliTrust): { ca?: Buffer; rejectUnauthorized?: boolean } {
  if (trust.insecure) return { rejectUnauthorized: false };
  if (trust.caFile) {
    try {
      return { ca: readFileSync(trust.caFile) };
    } catch (error) {
      throw new Error(`cannot read the CA file ${trust.caFile}: ${(error as Error).message}`);
    }
  }
  return {};
}

/**
 * A `fetch` that trusts as `trust` says. Always undici's own, with its own dispatcher: loading
 * undici makes its dispatcher the global one, and Node 20's built-in fetch (an older undici)
 * does not get along with it (a request with its own content-length header fails).
 */
export function fetchFor(trust: CliTrust): typeof fetch {
  const dispatcher = new Agent({ connect: tlsOptions(trust) });
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(
      input as never,
      { ...(init as object), dispatcher } as never,
    )) as unknown as typeof fetch;
}
