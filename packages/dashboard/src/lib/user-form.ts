import { CreateUserReq, type Role } from '@apiary/protocol';
import { checkForm, type FieldErrors, type FormCheck, refusalByField } from './form-errors.js';

export interface UserFormState {
  username: string;
  password: string;
  role: Role;
  /** '' : the creator's own organization (or, for a super-admin, the default one). */
  org_id: string;
}

export type UserFormField = keyof UserFormState;
export type UserFormErrors = FieldErrors<UserFormField>;

const FIELDS: readonly UserFormField[] = ['username', 'password', 'role', 'org_id'];

/**
 * The `POST /v1/users` body the form describes, checked with the protocol's `CreateUserReq`. A
 * super-admin belongs to no organization, so none is sent for one.
 */
export function userRequestFromForm(form: UserFormState): FormCheck<CreateUserReq, UserFormField> {
  const org = form.role === 'super_admin' ? '' : form.org_id;
  return checkForm(
    CreateUserReq,
    {
      username: form.username.trim(),
      password: form.password,
      role: form.role,
      ...(org ? { org_id: org } : {}),
    },
    FIELDS,
    'username',
  );
}

/** The fields a controller's refusal of `POST /v1/users` is about. */
export function userFormRefusal(error: unknown): UserFormErrors {
  return refusalByField(error, FIELDS, 'username');
}
