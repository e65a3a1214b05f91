import { AddHostReq } from '@apiary/protocol';
import { checkForm, type FieldErrors, type FormCheck, refusalByField } from './form-errors.js';

/** How the controller will authenticate to the agent (see `AddHostReq`). */
export type AgentCredential = 'api_key' | 'bootstrap_token';

export interface AddHostFormState {
  addr: string;
  credential: AgentCredential;
  /** The API key or bootstrap token: sent in the request body only, never kept elsewhere. */
  secret: string;
  tls_fingerprint: string;
  /** '' : the caller's own organization. */
  org_id: string;
  public_addr: string;
}

export type AddHostField = 'addr' | 'secret' | 'tls_fingerprint' | 'org_id' | 'public_addr';
export type AddHostErrors = FieldErrors<AddHostField>;

const REQUEST_FIELDS = [
  'addr',
  'api_key',
  'bootstrap_token',
  'tls_fingerprint',
  'org_id',
  'public_addr',
] as const;
type RequestField = (typeof REQUEST_FIELDS)[number];

export function initialAddHostForm(): AddHostFormState {
  return {
    addr: '',
    credential: 'api_key',
    secret: '',
    tls_fingerprint: '',
    org_id: '',
    public_addr: '',
  };
}

/**
 * The body of `POST /v1/hosts/test` and `POST /v1/hosts`, checked with the protocol's
 * `AddHostReq`. Empty optional fields are left out rather than sent empty.
 */
export function addHostRequestFromForm(
  form: AddHostFormState,
): FormCheck<AddHostReq, AddHostField> {
  const optional = (value: string) => value.trim() || undefined;
  const input: Record<string, string | undefined> = {
    addr: form.addr.trim(),
    [form.credential]: optional(form.secret),
    tls_fingerprint: optional(form.tls_fingerprint),
    org_id: optional(form.org_id),
    public_addr: optional(form.public_addr),
  };
  const body = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const checked = checkForm(AddHostReq, body, REQUEST_FIELDS, 'addr');
  return checked.ok ? checked : { ok: false, errors: toFormFields(checked.errors) };
}

/** The fields a controller's refusal of the request is about. */
export function addHostRefusal(error: unknown): AddHostErrors {
  return toFormFields(refusalByField(error, REQUEST_FIELDS, 'addr'));
}

/** Both credentials are typed into the one secret field. */
function toFormFields(errors: FieldErrors<RequestField>): AddHostErrors {
  const { api_key, bootstrap_token, ...rest } = errors;
  const secret = api_key ?? bootstrap_token;
  return secret ? { ...rest, secret } : rest;
}
