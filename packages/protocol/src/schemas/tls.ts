import { z } from 'zod';

/*
 * Certificate fingerprints as Apiary writes them: `sha256:` and 64 lowercase hex digits. What
 * people paste is accepted too: colons between the bytes and either letter case, with the
 * `sha256:` prefix or the way `openssl x509 -noout -fingerprint -sha256` prints it
 * (`sha256 Fingerprint=7B:77:...`).
 */

const PREFIX = /^sha-?256(?::|\s+fingerprint\s*=)\s*/i;

/** The normal form of a SHA-256 certificate fingerprint, or null when `text` is not one. */
export function normalizeFingerprint(text: string): string | null {
  const trimmed = text.trim();
  const match = PREFIX.exec(trimmed);
  if (!match) return null;
  const hex = trimmed.slice(match[0].length).replaceAll(':', '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : null;
}

/** `sha256:<64 hex digits>` (colons and case ignored); parses to the normal form. */
export const CertFingerprint = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const normal = normalizeFingerprint(text);
    if (normal) return normal;
    ctx.addIssue({
      code: 'custom',
      message: 'must be a SHA-256 fingerprint: sha256:<64 hex digits> (colons and case ignored)',
    });
    return z.NEVER;
  });
export type CertFingerprint = z.infer<typeof CertFingerprint>;

/**
 * How the controller trusts a host's agent. `plain_http`: the agent is reached over HTTP (it
 * is bound to loopback, or was started with --insecure-http). `pinned`: only the certificate
 * with `fingerprint` is accepted. `certificate_changed`: the agent presented another
 * certificate (`presented_fingerprint`); the controller refuses to talk to it until an
 * operator accepts the new one. `unpinned`: HTTPS checked against the system's CAs (an agent
 * that reported no fingerprint).
 */
export const HostTlsState = z.enum(['plain_http', 'pinned', 'certificate_changed', 'unpinned']);
export type HostTlsState = z.infer<typeof HostTlsState>;

export const HostTls = z.object({
  state: HostTlsState,
  /** The pinned certificate. */
  fingerprint: z.string().nullable(),
  /** The certificate the agent presented instead of the pinned one. */
  presented_fingerprint: z.string().nullable(),
});
export type HostTls = z.infer<typeof HostTls>;

/** `POST /v1/hosts/{id}/accept-certificate`: the fingerprint the operator checked and accepts. */
export const AcceptCertificateReq = z.strictObject({ fingerprint: CertFingerprint });
export type AcceptCertificateReq = z.infer<typeof AcceptCertificateReq>;
