import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { tempDir } from '@apiary/testkit/test-temp';
import { describe, expect, it } from 'vitest';
import {
  certificateNames,
  ensureSelfSignedCertificate,
  fingerprintOf,
  planServing,
  ServingPlanError,
  selfSignedPaths,
  TlsSettings,
} from '../src/index.js';

const settings = (s: Partial<TlsSettings> = {}) => TlsSettings.parse(s);

describe('self-signed certificate in the data dir', () => {
  it('is made once with 0600 files and reused with the same fingerprint', async () => {
    const dir = tempDir('tls-store-');
    const first = await ensureSelfSignedCertificate(dir, {
      commonName: 'apiary-test',
      names: certificateNames(['sim-host-1']),
    });
    expect(first.created).toBe(true);
    expect(first).toMatchObject(selfSignedPaths(dir));
    for (const file of [first.certFile, first.keyFile]) {
      expect(statSync(file).mode & 0o777, file).toBe(0o600);
    }
    expect(statSync(`${dir}/tls`).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(readFileSync(first.certFile));
    expect(fingerprintOf(cert)).toBe(first.fingerprint);
    expect(first.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:sim-host-1');
    expect(cert.checkPrivateKey).toBeDefined();

    const again = await ensureSelfSignedCertificate(dir, { commonName: 'x', names: ['localhost'] });
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(readFileSync(again.keyFile, 'utf8')).toBe(readFileSync(first.keyFile, 'utf8'));
  });
});

describe('serving plan', () => {
  it('serves plain HTTP on loopback by default and HTTPS elsewhere', () => {
    expect(planServing('127.0.0.1', '/d', settings())).toEqual({ scheme: 'http' });
    expect(planServing('::1', '/d', settings())).toEqual({ scheme: 'http' });
    expect(planServing('0.0.0.0', '/d', settings())).toEqual({
      scheme: 'https',
      selfSigned: true,
      ...selfSignedPaths('/d'),
    });
    expect(planServing('127.0.0.1', '/d', settings({ tls: 'on' }))).toMatchObject({
      scheme: 'https',
    });
    expect(
      planServing('10.0.0.2', '/d', settings({ tlsCert: '/c.pem', tlsKey: '/k.pem' })),
    ).toEqual({ scheme: 'https', certFile: '/c.pem', keyFile: '/k.pem', selfSigned: false });
  });

  it('refuses plain HTTP off loopback unless --insecure-http is given', () => {
    expect(() => planServing('0.0.0.0', '/d', settings({ tls: 'off' }))).toThrow(
      /refusing plain HTTP on 0\.0\.0\.0.*--insecure-http/,
    );
    expect(() => planServing('10.1.2.3', '/d', settings({ tls: 'off' }))).toThrow(ServingPlanError);
    expect(planServing('0.0.0.0', '/d', settings({ insecureHttp: true }))).toEqual({
      scheme: 'http',
    });
  });

  it('refuses contradictory flags', () => {
    expect(() => planServing('0.0.0.0', '/d', settings({ tlsCert: '/c.pem' }))).toThrow(
      /go together/,
    );
    expect(() =>
      planServing('0.0.0.0', '/d', settings({ tlsCert: '/c', tlsKey: '/k', insecureHttp: true })),
    ).toThrow(/contradicts/);
    expect(() => planServing('0.0.0.0', '/d', settings({ tls: 'on', insecureHttp: true }))).toThrow(
      /contradicts/,
    );
  });
});
