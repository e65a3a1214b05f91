/** A well-formed ed25519 public key line (the blob starts with its own key type, as OpenSSH writes it). */
export function sshKey(comment = 'alice@laptop'): string {
  const type = 'ssh-ed25519';
  const bytes = [0, 0, 0, type.length, ...[...type].map((c) => c.charCodeAt(0)), 0, 0, 0, 32];
  for (let i = 0; i < 32; i++) bytes.push((i * 37) % 256);
  return `${type} ${Buffer.from(bytes).toString('base64')} ${comment}`;
}
