import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadOrCreateKeyFile } from '../../src/lib/cipher.js';
import { hashPassword, verifyPassword } from '../../src/lib/password.js';
import { newSecret, secretMatches, secretPrefix } from '../../src/lib/secrets.js';
import { tempDir } from '../helpers/temp.js';

describe('secrets at rest', () => {
  it('hashes passwords with scrypt and verifies only the right one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });

  it('makes prefixed bearer secrets stored as sha256 and compares them', () => {
    const s = newSecret('apy');
    expect(s.secret).toMatch(/^apy_[a-z2-7]{40}$/);
    expect(s.prefix).toBe(secretPrefix(s.secret));
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatches(s.secret, s.hash)).toBe(true);
    expect(secretMatches(`${s.secret}x`, s.hash)).toBe(false);
    expect(newSecret('apy').secret).not.toBe(s.secret);
  });

  it('seals agent keys with AES-256-GCM and detects tampering', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('wh_0123456789abcdef0123456789abcdef');
    expect(sealed).not.toContain('wh_');
    expect(box.open(sealed)).toBe('wh_0123456789abcdef0123456789abcdef');
    expect(box.seal('same')).not.toBe(box.seal('same'));
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it('creates the key file once with mode 0600 and reuses it', () => {
    const dir = tempDir('key');
    const file = join(dir, 'secret.key');
    const a = loadOrCreateKeyFile(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKeyFile(file).equals(a)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(a.toString('base64'));
  });
});
