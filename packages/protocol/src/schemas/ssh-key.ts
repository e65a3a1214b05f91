import { z } from 'zod';

/** Key types OpenSSH accepts in authorized_keys (FIDO `sk-` variants included). */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

const MAX_KEY_LENGTH = 8192;

/**
 * Why a string is not an SSH public key, or null when it is one.
 *
 * Beyond the shape `TYPE BASE64 [COMMENT]`, the base64 blob must decode and begin with the same
 * key type (an SSH wire string: uint32 length + bytes). That catches pasted private keys,
 * truncated keys and keys whose type was edited by hand.
 */
export function sshPublicKeyProblem(line: string): string | null {
  if (line.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(line)) return 'contains a newline or control character';
  if (line.includes('PRIVATE KEY')) return 'is a private key; paste the .pub file instead';
  const [type, blob, ...rest] = line.trim().split(/ +/);
  if (!type || !blob) return 'must be "TYPE BASE64 [COMMENT]"';
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `unsupported key type ${JSON.stringify(type.slice(0, 40))}`;
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return 'key data is not base64';
  let bytes: string;
  try {
    bytes = atob(blob);
  } catch {
    return 'key data is not valid base64';
  }
  if (bytes.length < 4) return 'key data is too short';
  const declared =
    ((bytes.charCodeAt(0) << 24) | (bytes.charCodeAt(1) << 16) | (bytes.charCodeAt(2) << 8)) +
    bytes.charCodeAt(3);
  if (declared !== type.length || bytes.slice(4, 4 + declared) !== type) {
    return `key data does not match key type ${type}`;
  }
  if (rest.join(' ').includes('"')) return 'comment must not contain a double quote';
  return null;
}

/** One SSH public key line, normalized to single spaces and no surrounding whitespace. */
export const SshPublicKey = z
  .string()
  .superRefine((value, ctx) => {
    const problem = sshPublicKeyProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `not an SSH public key: ${problem}` });
  })
  .transform((value) => value.trim().split(/ +/).join(' '));
export type SshPublicKey = z.infer<typeof SshPublicKey>;
