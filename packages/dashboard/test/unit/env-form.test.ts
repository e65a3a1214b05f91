import { describe, expect, it } from 'vitest';
import {
  buildCreateEnvRequest,
  type EnvFormState,
  initialEnvForm,
  issuesToFieldErrors,
} from '../../src/lib/env-form.js';

// A real ed25519 public key (the SSH wire blob starts with the key type).
const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';

function form(patch: Partial<EnvFormState>): EnvFormState {
  return { ...initialEnvForm(), id: 'web-1', image: 'alpine-cloud', ssh_keys: KEY, ...patch };
}

describe('buildCreateEnvRequest', () => {
  it('builds one VM spec per requested VM with the typed resources and ports', () => {
    const result = buildCreateEnvRequest(
      form({ count: '2', cpu: '4', mem: '2048', ports: '80, 443', deny_outgoing: true }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.vms).toHaveLength(2);
    expect(result.request.vms[1]).toEqual({
      image: 'alpine-cloud',
      cpu: 4,
      mem: 2048,
      disk: 40_960,
      ports: [80, 443],
      deny_outgoing: true,
    });
    expect(result.request.lifetime).toBe(21_600);
    expect(result.request.ssh_keys).toEqual([KEY]);
  });

  it('reports the protocol schema message on the field it concerns', () => {
    const result = buildCreateEnvRequest(form({ id: 'Bad Name', cpu: '999' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.id).toMatch(/lowercase letters/);
    expect(result.errors.cpu).toBe('must be at most 64');
  });

  it('says which SSH key line is wrong', () => {
    const result = buildCreateEnvRequest(form({ ssh_keys: `${KEY}\n\nnot-a-key` }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.ssh_keys).toMatch(/^key 2: not an SSH public key/);
  });

  it('requires at least one SSH key and an image', () => {
    const result = buildCreateEnvRequest(form({ ssh_keys: ' \n', image: '' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.ssh_keys).toBe('add at least one SSH public key');
    expect(result.errors.image).toBe('choose an image');
  });

  it('refuses words where numbers belong and duplicate ports', () => {
    const words = buildCreateEnvRequest(form({ mem: 'lots', ports: '80 http' }));
    expect(words.ok).toBe(false);
    if (words.ok) return;
    expect(words.errors.mem).toBe('must be a whole number');
    expect(words.errors.ports).toMatch(/"http" is not a port number/);
    const dup = buildCreateEnvRequest(form({ ports: '80 80' }));
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.errors.ports).toMatch(/duplicate port 80/);
  });

  it('explains what an image reference looks like', () => {
    const result = buildCreateEnvRequest(form({ image: 'Not An Image!' }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.image).toMatch(/image name .* or sha256:<digest>/);
  });

  it('states the lifetime bounds in days rather than seconds', () => {
    const result = buildCreateEnvRequest(form({ lifetime_hours: '10000' }));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.lifetime_hours).toBe('must be between 1 minute and 30 days');
  });
});

describe('issuesToFieldErrors', () => {
  it('maps server validation details to the same fields', () => {
    expect(
      issuesToFieldErrors([
        { path: 'vms.3.disk', message: 'too big' },
        { path: 'vms.0.disk', message: 'second' },
        { path: 'vms', message: 'too many' },
      ]),
    ).toEqual({ disk: 'too big', count: 'too many' });
  });
});
