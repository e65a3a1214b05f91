import { ApiError } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import {
  type UserFormState,
  userFormRefusal,
  userRequestFromForm,
} from '../../src/lib/user-form.js';

const form = (patch: Partial<UserFormState> = {}): UserFormState => ({
  username: 'alice',
  password: 'correct horse battery',
  role: 'member',
  org_id: 'org_a',
  ...patch,
});

describe('userRequestFromForm', () => {
  it('builds the POST /v1/users body with the organization', () => {
    expect(userRequestFromForm(form({ username: ' alice ' }))).toEqual({
      ok: true,
      value: {
        username: 'alice',
        password: 'correct horse battery',
        role: 'member',
        org_id: 'org_a',
      },
    });
  });

  it('sends no organization for a super-admin (they belong to none)', () => {
    const result = userRequestFromForm(form({ role: 'super_admin' }));
    expect(result.ok && result.value).not.toHaveProperty('org_id');
  });

  it("puts the protocol schema's messages on their fields", () => {
    const result = userRequestFromForm(form({ username: 'A', password: 'short' }));
    expect(result).toEqual({
      ok: false,
      errors: {
        username: 'must be 2-32 characters: lowercase letters, digits, . _ -',
        password: 'must be at least 12 characters',
      },
    });
  });

  it("maps the controller's validation refusal to fields, and nothing else", () => {
    const refusal = new ApiError('validation', 'invalid request', {
      details: [{ path: 'body.password', message: 'must be at least 12 characters' }],
    });
    expect(userFormRefusal(refusal)).toEqual({ password: 'must be at least 12 characters' });
    expect(userFormRefusal(new ApiError('conflict', 'user alice already exists'))).toEqual({});
  });
});
