import { describe, expect, it } from 'vitest';
import { SshPublicKey, sshPublicKeyProblem } from '../src/index.js';
import { sshKey } from './fixtures.js';

describe('SshPublicKey', () => {
  it('accepts ed25519, rsa and ecdsa keys with or without a comment', () => {
    for (const type of ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256']) {
      expect(sshPublicKeyProblem(sshKey(type))).toBeNull();
      expect(sshPublicKeyProblem(sshKey(type, ''))).toBeNull();
    }
  });

  it('normalizes surrounding and repeated spaces', () => {
    const key = sshKey();
    const [type, blob, comment] = key.split(' ');
    expect(SshPublicKey.parse(`  ${type}   ${blob}  ${comment} `)).toBe(key);
  });

  it.each([
    ['a bare word', 'hello'],
    ['a private key', '-----BEGIN OPENSSH PRIVATE KEY-----'],
    ['an unknown type', sshKey().replace('ssh-ed25519', 'ssh-dss')],
    ['data that is not base64', 'ssh-ed25519 not*base64 x'],
    ['a type that does not match the data', `ssh-rsa ${sshKey().split(' ')[1]}`],
    ['a newline', `${sshKey()}\nssh-ed25519 AAAA`],
    ['a double quote in the comment', sshKey('ssh-ed25519', 'a"b')],
    ['an over-long line', `${sshKey()} ${'x'.repeat(9000)}`],
  ])('rejects %s', (_, value) => {
    expect(SshPublicKey.safeParse(value).success).toBe(false);
  });
});
