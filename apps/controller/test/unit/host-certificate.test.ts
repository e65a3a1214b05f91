import { describe, expect, it } from 'vitest';
import { pinAtRegistration } from '../../src/services/hosts/host-certificate.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const none = { tlsFingerprint: null, tlsPresentedFingerprint: null };

describe('pinning at registration', () => {
  it('pins the fingerprint a new https agent reports', () => {
    expect(pinAtRegistration(undefined, 'https://h:9100', A)).toEqual({
      tlsFingerprint: A,
      tlsPresentedFingerprint: null,
    });
    expect(pinAtRegistration(none, 'https://h:9100', A)).toMatchObject({ tlsFingerprint: A });
  });

  it('keeps the pin when the agent registers again with another certificate, and marks it', () => {
    const pinned = { tlsFingerprint: A, tlsPresentedFingerprint: null };
    expect(pinAtRegistration(pinned, 'https://h:9100', B)).toEqual({
      tlsFingerprint: A,
      tlsPresentedFingerprint: B,
    });
  });

  it('clears the mark when the pinned certificate is back', () => {
    const changed = { tlsFingerprint: A, tlsPresentedFingerprint: B };
    expect(pinAtRegistration(changed, 'https://h:9100', A)).toEqual({
      tlsFingerprint: A,
      tlsPresentedFingerprint: null,
    });
  });

  it('changes nothing for a plain HTTP agent or one that reports no fingerprint', () => {
    const changed = { tlsFingerprint: A, tlsPresentedFingerprint: B };
    expect(pinAtRegistration(changed, 'http://h:9100', undefined)).toEqual(changed);
    expect(pinAtRegistration(changed, 'https://h:9100', undefined)).toEqual(changed);
    expect(pinAtRegistration(undefined, 'http://h:9100', A)).toEqual(none);
  });
});
