import { type ValidationIssue, validationIssues } from '../schemas/errors.js';
import { CreateEnvReq, type CreateEnvReqInput, type VmSpecInput } from '../schemas/vm-spec.js';
import { formatDurationExact } from './duration.js';
import { formatMiB } from './format-bytes.js';
import type { BoundFormat } from './issue-messages.js';

/**
 * One environment as a person typed it, numbers still as text: the CLI's flags and the
 * dashboard's form both fill this in. An absent or blank field is not given (the schema's
 * default applies).
 */
export interface EnvRequestText {
  id?: string;
  owner?: string;
  /** Given: the request gets `count` identical VMs of this image (replacing the base's VMs). */
  image?: string;
  /**
   * Instead of `image`: the VMs install from this ISO onto an empty boot disk of `disk` MiB
   * (issue 13). Giving both is an issue on `vms.0.boot_iso`.
   */
  boot_iso?: string;
  count?: string;
  cpu?: string;
  mem?: string;
  disk?: string;
  /** Guest ports, separated by commas or spaces: `80, 443 8080`. */
  ports?: string;
  deny_outgoing?: boolean;
  ssh_keys?: string[];
  /** Seconds, already read in the caller's own unit (`6h` on a flag, hours in the form). */
  lifetime?: number;
  on_failure?: 'rollback' | 'keep';
}

export interface EnvRequestResult {
  request: CreateEnvReqInput;
  /**
   * Everything wrong with it, as paths of the request (`vms.0.cpu`, `vms` for the count,
   * `lifetime`): what could not be read as a number, then what the protocol schema refuses.
   */
  issues: ValidationIssue[];
}

/**
 * More copies than any schema allows are never built: past this the schema's own maximum is
 * what the person is told, and a typo like `--count 1000000000` costs nothing.
 */
const MOST_VMS_BUILT = 1000;

/**
 * Builds a `POST /v1/envs` body from what a person typed, over `base` (a request read from a
 * file; the typed fields win), and checks it against the protocol's own schema, so the CLI,
 * the dashboard and the controller apply the same rules.
 */
export function buildCreateEnvRequest(
  text: EnvRequestText,
  base: Partial<CreateEnvReqInput> = {},
): EnvRequestResult {
  const issues: ValidationIssue[] = [];
  const whole = (path: string, value: string | undefined): number | undefined => {
    const trimmed = value?.trim();
    if (!trimmed) return undefined;
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    issues.push({ path, code: 'invalid_type', expected: 'int', message: 'must be a whole number' });
    return undefined;
  };

  let vms = base.vms;
  const typedVms = text.image !== undefined || text.boot_iso !== undefined;
  if (typedVms) {
    const spec = bootSource(text, issues);
    const count = whole('vms', text.count) ?? 1;
    const cpu = whole('vms.0.cpu', text.cpu);
    const mem = whole('vms.0.mem', text.mem);
    const disk = whole('vms.0.disk', text.disk);
    const ports = readPorts(text.ports ?? '', issues);
    if (cpu !== undefined) spec.cpu = cpu;
    if (mem !== undefined) spec.mem = mem;
    if (disk !== undefined) spec.disk = disk;
    if (ports.length > 0) spec.ports = ports;
    if (text.deny_outgoing) spec.deny_outgoing = true;
    vms = Array.from({ length: Math.min(count, MOST_VMS_BUILT) }, () => ({ ...spec }));
  }

  const request: CreateEnvReqInput = {
    ...base,
    id: text.id?.trim() ?? base.id ?? '',
  } as CreateEnvReqInput;
  const owner = text.owner?.trim();
  if (owner) request.owner = owner;
  if (text.ssh_keys) request.ssh_keys = text.ssh_keys;
  if (vms) request.vms = vms;
  if (text.on_failure) request.on_failure = text.on_failure;
  if (text.lifetime !== undefined) {
    if (Number.isFinite(text.lifetime)) request.lifetime = text.lifetime;
    else
      issues.push({
        path: 'lifetime',
        code: 'invalid_type',
        expected: 'number',
        message: 'must be a number',
      });
  }

  const parsed = CreateEnvReq.safeParse(request);
  if (!parsed.success) {
    // Fields already refused above are not reported again; VMs built as copies of one spec
    // fail alike, so only the first copy's problems are reported.
    const known = new Set(issues.map((i) => i.path));
    const copies = typedVms ? /^vms\.[1-9]\d*\./ : null;
    const all = validationIssues(parsed.error, { limit: Number.POSITIVE_INFINITY }).issues;
    issues.push(...all.filter((i) => !known.has(i.path) && !copies?.test(i.path)));
  }
  return { request, issues };
}

/**
 * What the typed VMs boot from: an image, or an ISO to install from. A blank one is required;
 * both at once are the schema's refusal (on `vms.0.boot_iso`).
 */
function bootSource(text: EnvRequestText, issues: ValidationIssue[]): VmSpecInput {
  const image = text.image?.trim();
  const iso = text.boot_iso?.trim();
  if (text.boot_iso === undefined) {
    if (!image) issues.push(required('vms.0.image'));
    return { image: image ?? '' };
  }
  if (!iso) issues.push(required('vms.0.boot_iso'));
  return text.image === undefined ? { boot_iso: iso ?? '' } : { image, boot_iso: iso ?? '' };
}

function required(path: string): ValidationIssue {
  return { path, code: 'invalid_type', expected: 'nonoptional', message: 'is required' };
}

/** `80, 443 8080` -> [80, 443, 8080]; a word where a port belongs is an issue of its own. */
function readPorts(text: string, issues: ValidationIssue[]): number[] {
  const ports: number[] = [];
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    if (/^\d+$/.test(token)) ports.push(Number(token));
    else {
      issues.push({
        path: 'vms.0.ports',
        code: 'custom',
        message: `${JSON.stringify(token.slice(0, 12))} is not a port number`,
      });
    }
  }
  return ports;
}

/**
 * The unit a field of the create request is counted in, for stating its limits: the lifetime in
 * seconds (`at most 30d`), memory and disk in MiB (`at least 256 MiB`), and the VM list by how
 * many VMs (`at most 64`, not `64 entries`). Undefined for fields without a unit.
 */
export function envRequestBound(path: string): BoundFormat | undefined {
  const [head, index, field] = path.split('.');
  if (head === 'lifetime') return formatDurationExact;
  if (head !== 'vms') return undefined;
  if (index === undefined) return String;
  return field === 'mem' || field === 'disk' ? formatMiB : undefined;
}
