import {
  CreateEnvReq,
  type CreateEnvReqInput,
  LIFETIME,
  type ValidationIssue,
  VM_LIMITS,
  type VmSpecInput,
} from '@apiary/protocol';

/** What the create-environment form holds: strings as typed, so nothing is lost mid-edit. */
export interface EnvFormState {
  id: string;
  owner: string;
  image: string;
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
    image: '',
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
 * Turns the form into a `POST /v1/envs` body and validates it with the protocol's own schema,
 * so the browser shows the same rules (and words) the controller enforces.
 */
export function buildCreateEnvRequest(form: EnvFormState): EnvFormResult {
  const errors: EnvFormErrors = {};
  const int = (field: EnvFormField, text: string): number | undefined => {
    if (text.trim() === '') return undefined;
    if (!/^\d+$/.test(text.trim())) {
      errors[field] = 'must be a whole number';
      return undefined;
    }
    return Number(text.trim());
  };
  const count = int('count', form.count) ?? 1;
  if (!errors.count && (count < 1 || count > 64)) errors.count = 'must be between 1 and 64 VMs';
  const ports = parsePorts(form.ports);
  if (typeof ports === 'string') errors.ports = ports;
  const hours = form.lifetime_hours.trim();
  const lifetime = hours === '' ? undefined : Math.round(Number(hours) * 3600);
  if (lifetime !== undefined && !Number.isFinite(lifetime)) errors.lifetime_hours = 'must be hours';

  const vm: VmSpecInput = { image: form.image.trim() };
  const cpu = int('cpu', form.cpu);
  const mem = int('mem', form.mem);
  const disk = int('disk', form.disk);
  if (cpu !== undefined) vm.cpu = cpu;
  if (mem !== undefined) vm.mem = mem;
  if (disk !== undefined) vm.disk = disk;
  if (Array.isArray(ports) && ports.length > 0) vm.ports = ports;
  if (form.deny_outgoing) vm.deny_outgoing = true;

  const request: CreateEnvReqInput = {
    id: form.id.trim(),
    ssh_keys: form.ssh_keys
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    vms: Array.from({ length: Math.max(1, Math.min(count, 64)) }, () => ({ ...vm })),
    on_failure: form.on_failure,
  };
  if (form.owner.trim()) request.owner = form.owner.trim();
  if (lifetime !== undefined && Number.isFinite(lifetime)) request.lifetime = lifetime;

  if (!vm.image) errors.image = 'choose an image';
  const parsed = CreateEnvReq.safeParse(request);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: humanize(issue.message),
    }));
    Object.assign(errors, { ...issuesToFieldErrors(issues), ...errors });
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, request };
}

/**
 * zod's generic range and union messages, said the way the rest of the form speaks. Messages
 * the protocol schemas wrote themselves pass through unchanged.
 */
export function humanize(message: string): string {
  const big = /^Too big: expected (?:number|array) to (?:be|have) <=\s*([\d,]+)/.exec(message);
  if (big) return `must be at most ${big[1]}`;
  const small = /^Too small: expected (?:number|array) to (?:be|have) >=\s*([\d,]+)/.exec(message);
  if (small) return `must be at least ${small[1]}`;
  if (message === 'Invalid input')
    return 'must be an image name (e.g. alpine-cloud) or sha256:<digest>';
  return message;
}

/** `80, 443 8080` -> [80, 443, 8080]; a message for anything that is not a port number. */
function parsePorts(text: string): number[] | string {
  const tokens = text.split(/[\s,]+/).filter((t) => t !== '');
  const ports: number[] = [];
  for (const token of tokens) {
    if (!/^\d+$/.test(token)) return `"${token.slice(0, 12)}" is not a port number`;
    ports.push(Number(token));
  }
  return ports;
}

/**
 * Maps validation issues (from the local schema check or a server's `details`) to form fields:
 * `vms.0.cpu` -> cpu, `ssh_keys.1` -> ssh_keys ("key 2: ..."). The first issue per field wins,
 * so a spec repeated for every VM reports its problem once.
 */
export function issuesToFieldErrors(issues: ValidationIssue[]): EnvFormErrors {
  const errors: EnvFormErrors = {};
  const put = (field: EnvFormField, message: string) => {
    if (!errors[field]) errors[field] = message;
  };
  for (const { path, message } of issues) {
    const parts = path.split('.');
    const [head, second, third] = parts;
    if (head === 'id' || head === 'owner' || head === 'on_failure') put(head, message);
    else if (head === 'ssh_keys') {
      if (second !== undefined) put('ssh_keys', `key ${Number(second) + 1}: ${message}`);
      else put('ssh_keys', /at least/.test(message) ? 'add at least one SSH public key' : message);
    } else if (head === 'lifetime') {
      put('lifetime_hours', `must be between 1 minute and ${LIFETIME.max / 86_400} days`);
    } else if (head === 'vms' && third === undefined) put('count', message);
    else if (head === 'vms') {
      const field = third === 'deny_outgoing' ? 'deny_outgoing' : third;
      if (field === 'image' || field === 'cpu' || field === 'mem' || field === 'disk') {
        put(field, message);
      } else if (field === 'ports') put('ports', message);
      else if (field === 'deny_outgoing') put('deny_outgoing', message);
      else put('image', message);
    } else put('id', path ? `${path}: ${message}` : message);
  }
  return errors;
}
