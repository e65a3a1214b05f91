import {
  formatMiB,
  parseSizeMiB,
  UpdateVmReq,
  type ValidationIssue,
  validationIssues,
} from '@apiary/protocol';
import { UsageError } from './errors.js';
import { flagLabel, refuseIssues, type SourceOf } from './flag-issues.js';

/*
 * `apiary vms resize` and `apiary vms set` both send `PATCH /v1/vms/{id}`: resize changes the
 * machine (cpu, memory, boot disk), set its network (forwarded ports, outgoing traffic). Two
 * verbs, because a resize may need a restart and a port change never does.
 */

export interface ResizeFlags {
  cpu?: string;
  mem?: string;
  disk?: string;
}

export interface SetFlags {
  ports?: string;
  denyOutgoing?: boolean;
  allowOutgoing?: boolean;
}

type Typed = ResizeFlags & { ports?: string };

/** `--mem 20G` -> the request's `mem`; what cannot be read is an issue on its field. */
function readSize(path: 'mem' | 'disk', text: string | undefined, issues: ValidationIssue[]) {
  if (text === undefined) return undefined;
  try {
    return parseSizeMiB(text);
  } catch (error) {
    issues.push({ path, code: 'custom', message: (error as Error).message });
    return undefined;
  }
}

/** `22,80 443` -> [22, 80, 443]; a word where a port belongs is an issue on `ports`. */
function readPorts(text: string, issues: ValidationIssue[]): number[] {
  const ports: number[] = [];
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    if (/^\d+$/.test(token)) ports.push(Number(token));
    else issues.push({ path: 'ports', code: 'custom', message: `${token} is not a port number` });
  }
  return ports;
}

/** Issues about a field are said on the flag that set it, sizes in MiB units (`at most 1 TiB`). */
export function updateFlagSource(flags: Typed): SourceOf {
  return (path) => {
    const [field, index] = path.split('.');
    if (field === 'cpu') return { label: flagLabel('--cpu', flags.cpu) };
    if (field === 'mem') return { label: flagLabel('--mem', flags.mem), bound: formatMiB };
    if (field === 'disk') return { label: flagLabel('--disk', flags.disk), bound: formatMiB };
    if (field === 'ports') {
      const typed = index === undefined ? flags.ports : readPorts(flags.ports ?? '', [])[+index];
      return { label: flagLabel('--ports', typed === undefined ? undefined : String(typed)) };
    }
    return undefined;
  };
}

/** Checks the body with the protocol's schema, reporting each problem on its flag. */
function checked(body: Record<string, unknown>, issues: ValidationIssue[], flags: Typed) {
  const parsed = UpdateVmReq.safeParse(body);
  const known = new Set(issues.map((i) => i.path));
  if (!parsed.success) {
    const all = validationIssues(parsed.error, { limit: Number.POSITIVE_INFINITY }).issues;
    // "nothing to change" is no news when every flag given was unreadable.
    const fresh = all.filter((i) => !known.has(i.path) && !(i.path === '' && known.size > 0));
    issues.push(...fresh);
  }
  refuseIssues(issues, updateFlagSource(flags));
  return body as UpdateVmReq;
}

/** `apiary vms resize VM --cpu 4 --mem 8G --disk 60G` -> the PATCH body. */
export function resizeRequestFromFlags(flags: ResizeFlags): UpdateVmReq {
  if (flags.cpu === undefined && flags.mem === undefined && flags.disk === undefined) {
    throw new UsageError('nothing to resize: give --cpu N, --mem SIZE or --disk SIZE');
  }
  const issues: ValidationIssue[] = [];
  const body: Record<string, unknown> = {};
  if (flags.cpu !== undefined) {
    if (/^\d+$/.test(flags.cpu.trim())) body.cpu = Number(flags.cpu);
    else issues.push({ path: 'cpu', code: 'custom', message: 'must be a whole number' });
  }
  const mem = readSize('mem', flags.mem, issues);
  const disk = readSize('disk', flags.disk, issues);
  if (mem !== undefined) body.mem = mem;
  if (disk !== undefined) body.disk = disk;
  return checked(body, issues, flags);
}

/** `apiary vms set VM --ports 80,443 --deny-outgoing` -> the PATCH body. */
export function setRequestFromFlags(flags: SetFlags): UpdateVmReq {
  if (flags.denyOutgoing && flags.allowOutgoing) {
    throw new UsageError('--deny-outgoing and --allow-outgoing contradict each other');
  }
  if (flags.ports === undefined && !flags.denyOutgoing && !flags.allowOutgoing) {
    throw new UsageError('nothing to set: give --ports LIST, --deny-outgoing or --allow-outgoing');
  }
  const issues: ValidationIssue[] = [];
  const body: Record<string, unknown> = {};
  if (flags.ports !== undefined) body.ports = readPorts(flags.ports, issues);
  if (flags.denyOutgoing) body.deny_outgoing = true;
  if (flags.allowOutgoing) body.deny_outgoing = false;
  return checked(body, issues, { ports: flags.ports });
}

/** `apiary vms disks rm VM 1`: a data disk's slot number. */
export function diskNumberArgument(text: string): number {
  if (!/^\d{1,2}$/.test(text)) {
    throw new UsageError(
      `${text} is not a disk number: give N of diskN, as 'apiary vms disks VM' lists`,
    );
  }
  return Number(text);
}

/** `apiary vms disks add VM 20G` -> the data disk's size in MiB (a usage error if unreadable). */
export function diskSizeArgument(text: string): number {
  try {
    return parseSizeMiB(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
