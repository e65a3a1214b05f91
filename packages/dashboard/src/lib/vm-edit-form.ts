import {
  formatMiB,
  issueMessage,
  parseSizeMiB,
  UpdateVmReq,
  type ValidationIssue,
  type Vm,
  validationIssues,
} from '@apiary/protocol';

/*
 * The VM page's edit form -> `PATCH /v1/vms/{id}`: only what the person changed is sent, sizes
 * are read like the CLI reads them (`8G`, `512M`, a bare number of MiB), and the protocol's
 * schema states the limits in the field's unit.
 */

export interface VmEditForm {
  cpu: string;
  mem: string;
  disk: string;
  /** Guest ports besides 22, separated by commas or spaces. */
  ports: string;
  deny_outgoing: boolean;
  /** Restart a running VM so the change applies now (`?restart=true`). */
  restart: boolean;
}

export type VmEditField = 'cpu' | 'mem' | 'disk' | 'ports' | 'form';
export type VmEditResult =
  | { ok: true; body: UpdateVmReq; restart: boolean }
  | { ok: false; errors: Partial<Record<VmEditField, string>> };

/** `40960` -> `40G`, `1536` -> `1536M`: a size as a person would type it back. */
export function sizeText(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}G` : `${mib}M`;
}

const SSH_PORT = 22;

export function vmEditDefaults(vm: Vm): VmEditForm {
  return {
    cpu: String(vm.cpu),
    mem: sizeText(vm.mem),
    disk: sizeText(vm.disk),
    ports: vm.ports.filter((p) => p !== SSH_PORT).join(', '),
    deny_outgoing: vm.deny_outgoing,
    restart: false,
  };
}

function samePorts(a: readonly number[], b: readonly number[]): boolean {
  const norm = (list: readonly number[]) =>
    [...new Set([SSH_PORT, ...list])].sort((x, y) => x - y).join(',');
  return norm(a) === norm(b);
}

export function vmUpdateFromForm(vm: Vm, form: VmEditForm): VmEditResult {
  const errors: Partial<Record<VmEditField, string>> = {};
  const body: Record<string, unknown> = {};

  const cpuText = form.cpu.trim();
  if (!/^\d+$/.test(cpuText)) errors.cpu = 'must be a whole number';
  else if (Number(cpuText) !== vm.cpu) body.cpu = Number(cpuText);

  for (const field of ['mem', 'disk'] as const) {
    try {
      const mib = parseSizeMiB(form[field]);
      if (mib !== vm[field]) body[field] = mib;
    } catch (error) {
      errors[field] = (error as Error).message;
    }
  }
  if (typeof body.disk === 'number' && body.disk < vm.disk) {
    errors.disk = `the boot disk only grows (it is ${formatMiB(vm.disk)})`;
  }

  const ports: number[] = [];
  for (const token of form.ports.split(/[\s,]+/).filter(Boolean)) {
    if (/^\d+$/.test(token)) ports.push(Number(token));
    else errors.ports ??= `${token} is not a port number`;
  }
  if (!errors.ports && !samePorts(ports, vm.ports)) body.ports = ports;
  if (form.deny_outgoing !== vm.deny_outgoing) body.deny_outgoing = form.deny_outgoing;

  if (Object.keys(errors).length === 0 && Object.keys(body).length === 0) {
    return { ok: false, errors: { form: 'Nothing changed' } };
  }
  const parsed = UpdateVmReq.safeParse(body);
  if (!parsed.success) {
    for (const issue of validationIssues(parsed.error, { limit: 20 }).issues) {
      const field = fieldOf(issue);
      errors[field] ??= issueMessage(
        issue,
        field === 'mem' || field === 'disk' ? formatMiB : undefined,
      );
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, body: body as UpdateVmReq, restart: form.restart };
}

function fieldOf(issue: ValidationIssue): VmEditField {
  const head = issue.path.split('.')[0];
  return head === 'cpu' || head === 'mem' || head === 'disk' || head === 'ports' ? head : 'form';
}
