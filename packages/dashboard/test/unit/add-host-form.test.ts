import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import {
  type AddHostFormState,
  addHostRefusal,
  addHostRequestFromForm,
  initialAddHostForm,
} from '../../src/lib/add-host-form.js';

const KEY = `wh_${'a'.repeat(32)}`;
const FINGERPRINT = `sha256:${'ab'.repeat(32)}`;
const form = (patch: Partial<AddHostFormState>): AddHostFormState => ({
  ...initialAddHostForm(),
  ...patch,
});

describe('addHostRequestFromForm', () => {
  it('sends only what was filled in, the secret under the credential chosen', () => {
    expect(addHostRequestFromForm(form({ addr: ' 10.0.0.2:9100 ', secret: KEY }))).toEqual({
      ok: true,
      value: { addr: '10.0.0.2:9100', api_key: KEY },
    });
    const token = 'x'.repeat(20);
    const result = addHostRequestFromForm(
      form({ addr: 'https://10.0.0.2:9100', credential: 'bootstrap_token', secret: token }),
    );
    expect(result).toEqual({
      ok: true,
      value: { addr: 'https://10.0.0.2:9100', bootstrap_token: token },
    });
  });

  it('normalizes the fingerprint the way the controller does', () => {
    const result = addHostRequestFromForm(
      form({ addr: 'https://10.0.0.2:9100', tls_fingerprint: FINGERPRINT.toUpperCase() }),
    );
    expect(result.ok && result.value.tls_fingerprint).toBe(FINGERPRINT);
  });

  it('reports a bad key on the secret field, whichever credential it is', () => {
    const bad = addHostRequestFromForm(form({ addr: '10.0.0.2:9100', secret: 'nope' }));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && Object.keys(bad.errors)).toEqual(['secret']);
    const short = addHostRequestFromForm(
      form({ addr: '10.0.0.2:9100', credential: 'bootstrap_token', secret: 'short' }),
    );
    expect(!short.ok && short.errors.secret).toBe('at least 16 characters');
  });

  it('refuses an empty address on the address field', () => {
    const result = addHostRequestFromForm(form({}));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.addr).toBeTruthy();
  });

  it("maps the controller's refusal of the key to the secret field", () => {
    const refusal = new ApiError('validation', 'invalid request', {
      details: [{ path: 'body.api_key', message: 'must be wh_ followed by hex' }],
    });
    expect(addHostRefusal(refusal)).toEqual({ secret: 'must be wh_ followed by hex' });
  });
});
