/**
 * Field names that carry secrets anywhere in Apiary: credentials on the wire and in config.
 * A log line never shows their values, at the top level or nested up to three objects deep
 * (`req.headers.authorization`, `body.license_key`, `config.tls.key_password`).
 */
export const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'new_password',
  'admin_password',
  'license_key',
  'licenseKey',
  'agent_api_key',
  'agentApiKey',
  'api_key',
  'apiKey',
  'host_credential',
  'hostCredential',
  'credential',
  'ticket',
  'token',
  'session_token',
  'claim_token',
  'secret',
  'private_key',
] as const;

const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];

/** pino `redact` paths for every secret field at every depth we cover. */
export function redactionPaths(fields: readonly string[] = SECRET_FIELDS): string[] {
  // Names with characters outside JS identifiers (set-cookie) need bracket notation.
  const key = (f: string) => (/^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`);
  return DEPTHS.flatMap((prefix) =>
    fields.map((f) => {
      const k = key(f);
      if (prefix === '') return k;
      return k.startsWith('[') ? `${prefix.slice(0, -1)}${k}` : `${prefix}${k}`;
    }),
  );
}

export const REDACTED = '[redacted]';
