import {
  bodyIssues,
  buildCreateEnvRequest,
  type CreateEnvReqInput,
  envRequestBound,
  issueMessage,
  LIFETIME,
  type ValidationIssue,
  VM_LIMITS,
} from '@apiary/protocol';

/** What the create-environment form holds: strings as typed, so nothing is lost mid-edit. */
export interface EnvFormState {
  id: string;
  owner: string;
  /** What the VMs boot from: a disk image (`image`) or an ISO to install from (`boot_iso`). */
  boot: 'image' | 'iso';
  image: string;
  /** The ISO, when `boot` is `iso`; `disk` is then the size of the empty disk. */
  boot_iso: string;
  count: string;
  cpu: string;
  mem: string;
  disk: string;
  ports: string;
  deny_outgoing: boolean;
  ssh_keys: string;
  lifetime_hours: string;
  on_failure: 'rollback' | 'keep';
}

export type EnvFormField = keyof EnvFormState;
export type EnvFormErrors = Partial<Record<EnvFormField, string>>;

export function initialEnvForm(): EnvFormState {
  return {
    id: '',
    owner: '',
    boot: 'image',
    image: '',
    boot_iso: '',
    count: '1',
    cpu: String(VM_LIMITS.cpu.default),
    mem: String(VM_LIMITS.mem.default),
    disk: String(VM_LIMITS.disk.default),
    ports: '',
    deny_outgoing: false,
    ssh_keys: '',
    lifetime_hours: String(LIFETIME.default / 3600),
    on_failure: 'rollback',
  };
}

export type EnvFormResult =
  | { ok: true; request: CreateEnvReqInput }
  | { ok: false; errors: EnvFormErrors };

/**
 * Turns the form into a `POST /v1/envs` body with the builder the CLI uses too, so the browser
 * applies the same rules the controller enforces and states them the same way.
 */
export function envRequestFromForm(form: EnvFormState): EnvFormResult {
  const hours = form.lifetime_hours.trim();
  const { request, issues } = buildCreateEnvRequest({
    id: form.id,
    owner: form.owner,
    // Only the chosen source goes: the other select keeps its value for switching back.
    ...(form.boot === 'iso' ? { boot_iso: form.boot_iso } : { image: form.image }),
    count: form.count,
    cpu: form.cpu,
    mem: form.mem,
    disk: form.disk,
    ports: form.ports,
    deny_outgoing: form.deny_outgoing,
    ssh_keys: form.ssh_keys
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    lifetime: hours === '' ? undefined : Math.round(Number(hours) * 3600),
    on_failure: form.on_failure,
  });
  const errors = issuesToFieldErrors(issues);
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, request };
}

const VM_FIELDS = new Set<string>([
  'image',
  'boot_iso',
  'cpu',
  'mem',
  'disk',
  'ports',
  'deny_outgoing',
]);

/** The form field a request path belongs to: `vms.0.cpu` -> cpu, `vms` -> count. */
function fieldOf(path: string): EnvFormField {
  const [head, , third] = path.split('.');
  if (head === 'id' || head === 'owner' || head === 'on_failure' || head === 'ssh_keys') {
    return head;
  }
  if (head === 'lifetime') return 'lifetime_hours';
  if (head === 'vms') {
    if (path === 'vms') return 'count';
    return third && VM_FIELDS.has(third) ? (third as EnvFormField) : 'image';
  }
  return 'id';
}

/** A few issues read better in the words of the form than in general words. */
function fieldMessage(field: EnvFormField, issue: ValidationIssue): string {
  const [, index] = issue.path.split('.');
  if (field === 'image' && issue.expected === 'nonoptional') return 'choose an image';
  if (field === 'boot_iso' && issue.expected === 'nonoptional') return 'choose an ISO';
  if (field === 'ssh_keys' && index === undefined && issue.code === 'too_small') {
    return 'add at least one SSH public key';
  }
  const text = issueMessage(issue, envRequestBound(issue.path));
  if (field === 'ssh_keys' && index !== undefined) return `key ${Number(index) + 1}: ${text}`;
  if (field === 'id' && !['id', ''].includes(issue.path)) return `${issue.path}: ${text}`;
  return text;
}

/**
 * Maps validation issues (from the local check or a server's refusal, see `bodyIssues`) to
 * form fields. The first issue per field wins.
 */
export function issuesToFieldErrors(issues: ValidationIssue[]): EnvFormErrors {
  const errors: EnvFormErrors = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    errors[field] ??= fieldMessage(field, issue);
  }
  return errors;
}

/** The form fields a controller's refusal of the create request is about (none: not such). */
export function fieldErrorsOfRefusal(error: unknown): EnvFormErrors {
  return issuesToFieldErrors(bodyIssues(error));
}
