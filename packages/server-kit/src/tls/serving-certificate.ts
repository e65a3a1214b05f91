import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ensureSelfSignedCertificate } from './certificate-store.js';
import { fingerprintOf } from './fingerprint.js';
import { type ServingPlan, ServingPlanError } from './serving-plan.js';

export interface ServingCertificate {
  certFile: string;
  keyFile: string;
  fingerprint: string;
  selfSigned: boolean;
  /** The self-signed certificate was made by this call (first start). */
  created: boolean;
}

/**
 * The certificate a daemon is about to serve: the operator's files (checked readable), or the
 * self-signed one in the data dir, made on the first start for `names`. Null over plain HTTP.
 */
export async function prepareServingCertificate(
  plan: ServingPlan,
  dataDir: string,
  selfSigned: { commonName: string; names: string[] },
): Promise<ServingCertificate | null> {
  if (plan.scheme === 'http') return null;
  if (plan.selfSigned) {
    const made = await ensureSelfSignedCertificate(dataDir, selfSigned);
    return { ...made, selfSigned: true };
  }
  let fingerprint: string;
  try {
    fingerprint = fingerprintOf(readFileSync(plan.certFile));
    readFileSync(plan.keyFile);
  } catch (error) {
    throw new ServingPlanError(
      `cannot use --tls-cert ${plan.certFile} / --tls-key ${plan.keyFile}: ${(error as Error).message}`,
    );
  }
  return {
    certFile: plan.certFile,
    keyFile: plan.keyFile,
    fingerprint,
    selfSigned: false,
    created: false,
  };
}

/**
 * What `apiary-agent info` / `apiary-controller info` say about serving: the scheme, the
 * certificate file, its fingerprint (what the other side pins), names and validity.
 */
export function describeServing(plan: ServingPlan, listen: string): string[] {
  if (plan.scheme === 'http') return [`serving      plain HTTP on ${listen}`];
  const lines = [
    `serving      HTTPS on ${listen}`,
    `certificate  ${plan.certFile}${plan.selfSigned ? ' (self-signed)' : ''}`,
  ];
  if (!existsSync(plan.certFile)) {
    return [...lines, 'fingerprint  (none yet: the certificate is made at the first start)'];
  }
  const cert = new X509Certificate(readFileSync(plan.certFile));
  return [
    ...lines,
    `fingerprint  ${fingerprintOf(cert)}`,
    `names        ${(cert.subjectAltName ?? '').replaceAll('IP Address:', '').replaceAll('DNS:', '')}`,
    `valid        ${new Date(cert.validFrom).toISOString()} to ${new Date(cert.validTo).toISOString()}`,
  ];
}
