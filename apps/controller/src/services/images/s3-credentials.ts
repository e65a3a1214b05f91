import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const S3Credentials = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
});
export type S3Credentials = z.infer<typeof S3Credentials>;

const FILE_KEYS: Record<string, string> = {
  accessKeyId: 'aws_access_key_id',
  secretAccessKey: 'aws_secret_access_key',
  sessionToken: 'aws_session_token',
};

/**
 * Reads credentials from a file in the AWS shared credentials format (`aws_access_key_id`,
 * `aws_secret_access_key`, optional `aws_session_token`), from its `[default]` section or from
 * lines before any section. Errors name the file and the missing key, never a value.
 */
export function readCredentialsFile(path: string): S3Credentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--s3-credentials-file ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const values = new Map<string, string>();
  let section: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = line.match(/^\[\s*([^\]]*?)\s*\]$/);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1 || (section !== null && section !== 'default')) continue;
    values.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  const parsed = S3Credentials.safeParse({
    accessKeyId: values.get('aws_access_key_id'),
    secretAccessKey: values.get('aws_secret_access_key'),
    sessionToken: values.get('aws_session_token') || undefined,
  });
  if (!parsed.success) {
    const missing = parsed.error.issues.map((i) => FILE_KEYS[String(i.path[0])]).join(', ');
    throw new Error(
      `--s3-credentials-file ${path}: needs aws_access_key_id and aws_secret_access_key in [default] (missing or empty: ${missing})`,
    );
  }
  return parsed.data;
}
