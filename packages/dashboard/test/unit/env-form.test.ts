import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import {
  type EnvFormState,
  envRequestFromForm,
  fieldErrorsOfRefusal,
  initialEnvForm,
  issuesToFieldErrors,
} from '../../src/lib/env-form.js';

// A real ed25519 public key (the SSH wire blob starts with the key type).
const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ1Ym1sZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4 ops@example';

function form(patch: Partial<EnvFormState>): EnvFormState {
  return { ...initialEnvForm(), id: 'web-1', image: 'alpine-cloud', ssh_keys: KEY, ...patch };
}

/** The field errors of a form that must be refused. */
function errorsOf(patch: Partial<EnvFormState>) {
  const result = envRequestFromForm(form(patch));
  if (result.ok) throw new Error('the form was accepted');
  return result.errors;
}

describe('envRequestFromForm', () => {
  it('builds one VM spec per requested VM with the typed resources and ports', () => {
    const result = envRequestFromForm(
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

  it('reports the protocol rules on the field they concern, in its unit', () => {
    const errors = errorsOf({ id: 'Bad Name', cpu: '999', mem: '100', count: '3' });
    expect(errors.id).toMatch(/lowercase letters/);
    expect(errors.cpu).toBe('at most 64');
    expect(errors.mem).toBe('at least 256 MiB');
    expect(errorsOf({ count: '65' }).count).toBe('at most 64');
    expect(errorsOf({ count: '0' }).count).toBe('at least 1');
  });

  it('says which SSH key line is wrong', () => {
    expect(errorsOf({ ssh_keys: `${KEY}\n\nnot-a-key` }).ssh_keys).toMatch(
      /^key 2: not an SSH public key/,
    );
  });

  it('requires at least one SSH key and an image', () => {
    const errors = errorsOf({ ssh_keys: ' \n', image: '' });
    expect(errors.ssh_keys).toBe('add at least one SSH public key');
    expect(errors.image).toBe('choose an image');
  });

  it('refuses words where numbers belong and duplicate ports', () => {
    const words = errorsOf({ mem: 'lots', ports: '80 http', lifetime_hours: 'soon' });
    expect(words.mem).toBe('must be a whole number');
    expect(words.ports).toMatch(/"http" is not a port number/);
    expect(words.lifetime_hours).toBe('must be a number');
    expect(errorsOf({ ports: '80 80' }).ports).toMatch(/duplicate port 80/);
  });

  it('explains what an image reference looks like', () => {
    expect(errorsOf({ image: 'Not An Image!' }).image).toMatch(
      /^must be sha256:<64 lowercase hex> or must be 1-63 lowercase letters/,
    );
  });

  it('sends only the ISO when the VMs boot from one, with the disk size for the empty disk', () => {
    const result = envRequestFromForm(
      form({ boot: 'iso', boot_iso: 'debian-12', image: 'alpine-cloud', disk: '8192' }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.vms?.[0]).toEqual({
      boot_iso: 'debian-12',
      disk: 8192,
      cpu: 2,
      mem: 1024,
    });
    const image = envRequestFromForm(form({ boot: 'image', boot_iso: 'debian-12' }));
    expect(image.ok && image.request.vms?.[0]).toEqual(
      expect.not.objectContaining({ boot_iso: expect.anything() }),
    );
    expect(image.ok && image.request.vms?.[0]?.image).toBe('alpine-cloud');
  });

  it('asks for an ISO on the ISO field when none is chosen', () => {
    expect(errorsOf({ boot: 'iso', boot_iso: '' })).toEqual({ boot_iso: 'choose an ISO' });
  });

  it('states the lifetime bounds as durations rather than seconds', () => {
    expect(errorsOf({ lifetime_hours: '10000' }).lifetime_hours).toBe('at most 30d');
    expect(errorsOf({ lifetime_hours: '0.001' }).lifetime_hours).toBe('at least 1m');
  });
});

describe('issuesToFieldErrors', () => {
  it("maps a server's validation details to the same fields, first issue per field", () => {
    expect(
      issuesToFieldErrors([
        {
          path: 'vms.3.disk',
          code: 'too_big',
          origin: 'number',
          maximum: 16_777_216,
          message: 'x',
        },
        { path: 'vms.0.disk', message: 'second' },
        { path: 'vms', code: 'too_big', origin: 'array', maximum: 64, message: 'y' },
        { path: 'org_id', message: 'no such organization' },
      ]),
    ).toEqual({ disk: 'at most 16 TiB', count: 'at most 64', id: 'org_id: no such organization' });
  });
});

describe('fieldErrorsOfRefusal', () => {
  it("puts a controller's refusal of the body on the form fields", () => {
    const refusal = new ApiError('validation', 'invalid request', {
      details: [
        { path: 'body.vms.0.mem', code: 'too_small', origin: 'number', minimum: 256, message: 'x' },
        { path: 'body.ssh_keys.0', code: 'custom', message: 'not an SSH public key: too short' },
      ],
    });
    expect(fieldErrorsOfRefusal(refusal)).toEqual({
      mem: 'at least 256 MiB',
      ssh_keys: 'key 1: not an SSH public key: too short',
    });
    expect(fieldErrorsOfRefusal(new ApiError('conflict', 'env web exists'))).toEqual({});
    const iso = new ApiError('validation', 'x', {
      details: [{ path: 'body.vms.0.image', code: 'custom', message: 'debian-12 is an ISO' }],
    });
    expect(fieldErrorsOfRefusal(iso)).toEqual({ image: 'debian-12 is an ISO' });
    const disk = new ApiError('validation', 'x', {
      details: [{ path: 'body.vms.0.boot_iso', code: 'custom', message: 'a disk image' }],
    });
    expect(fieldErrorsOfRefusal(disk)).toEqual({ boot_iso: 'a disk image' });
  });
});
