import { describe, expect, it } from 'vitest';
import { CertFingerprint, normalizeFingerprint } from '../src/index.js';

const HEX = '7b77f42d54f33bed6ff083dc6f715944b3af22f0d66207170a79c28a48bc106f';
const COLONS = HEX.toUpperCase().match(/../g)?.join(':') as string;

describe('certificate fingerprints', () => {
  it('normalizes sha256:<hex> in any case, with or without colons', () => {
    expect(normalizeFingerprint(`sha256:${HEX}`)).toBe(`sha256:${HEX}`);
    expect(normalizeFingerprint(`SHA256:${COLONS}`)).toBe(`sha256:${HEX}`);
    expect(normalizeFingerprint(` sha256:${HEX.toUpperCase()}\n`)).toBe(`sha256:${HEX}`);
  });

  it('accepts what openssl x509 -fingerprint -sha256 prints', () => {
    expect(normalizeFingerprint(`sha256 Fingerprint=${COLONS}`)).toBe(`sha256:${HEX}`);
    expect(normalizeFingerprint(`SHA256 Fingerprint=${COLONS}`)).toBe(`sha256:${HEX}`);
  });

  it('refuses other digests, short or long values and stray characters', () => {
    for (const bad of [
      HEX,
      `sha1:${HEX.slice(0, 40)}`,
      `sha256:${HEX.slice(2)}`,
      `sha256:${HEX}00`,
      `sha256:${HEX.slice(1)}g`,
      `sha256:${HEX.slice(0, 10)} ${HEX.slice(10)}`,
    ]) {
      expect(normalizeFingerprint(bad), bad).toBeNull();
    }
    const parsed = CertFingerprint.safeParse('sha256:xyz');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/sha256:<64 hex digits>/);
  });
});
