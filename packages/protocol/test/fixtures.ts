/** A syntactically real SSH public key of the given type (SSH wire string + 32 key bytes). */
export function sshKey(type = 'ssh-ed25519', comment = 'alice@laptop'): string {
  const bytes = [0, 0, 0, type.length, ...[...type].map((c) => c.charCodeAt(0)), 0, 0, 0, 32];
  for (let i = 0; i < 32; i++) bytes.push((i * 37) % 256);
  const blob = btoa(String.fromCharCode(...bytes));
  return comment ? `${type} ${blob} ${comment}` : `${type} ${blob}`;
}
